namespace Monge.Solvers.Hierarchical;

/// <summary>A polish step of <see cref="HierarchicalRefinement"/>: the current matching and the clouds in, a matching
/// of lower or equal cost out (in place, with <see cref="HiRefMatching.Value"/> updated).</summary>
internal interface IHiRefPolishStep
{
    /// <summary>Improves <paramref name="matching"/> in place.</summary>
    void Apply(HiRefMatching matching, CancellationToken cancellationToken);
}
