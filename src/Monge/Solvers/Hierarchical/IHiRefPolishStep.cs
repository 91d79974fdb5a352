namespace Monge.Solvers.Hierarchical;

/// <summary>A polish step of <see cref="HierarchicalRefinement"/>: the current matching and the clouds in, a matching
/// of lower or equal cost out (in place, with <see cref="HiRefMatching.Value"/> updated).</summary>
internal interface IHiRefPolishStep
{
    /// <summary>The step's name in <see cref="HiRefPolishReport.Step"/>.</summary>
    string Name { get; }

    /// <summary>Rounds (or passes) the last <see cref="Apply"/> ran.</summary>
    int RoundsRun { get; }

    /// <summary>Improves <paramref name="matching"/> in place.</summary>
    void Apply(HiRefMatching matching, CancellationToken cancellationToken);
}
