namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The neighbourhood step without leaves (<see cref="HierarchicalRefinement.NeighbourhoodCandidates"/> for
/// n &gt; <see cref="HierarchicalRefinement.PolishMaxPoints"/>, and after the random parts' union, which has no leaves):
/// the whole matching re-solved on a sparse graph in which every source point keeps its partner and gains the
/// <c>candidates</c> targets nearest that partner over <em>all</em> targets (exact, by the branch and bound of
/// <see cref="ReducedCostSearch"/> with a zero potential, in parallel), by one cold ε-scaling auction; the pass of
/// <see cref="GlobalSparsePolish"/> without a potential, run once per pass so that every pass re-centres the candidates on
/// the new partners (as the leaf step does). Its reduced-cost passes (warm prices) are not used: on the single-cell-like 2-D
/// pairs at 131 072 the first warm pass's auction ran for more than 80 CPU-s without finishing, against 7.5 for a cold
/// nearest-partner pass (docs/hiref.md, "Stop 24 (realnb)"). Stops after a pass that gains at most <c>tolerance</c>
/// (relative), or after <c>passes</c> passes; never raises the cost.
/// </summary>
/// <remarks>Deterministic whatever the thread count (per-row exact searches, a single-threaded auction in a fixed order).
/// Memory per pass as <see cref="GlobalSparsePolish"/>: the graph, n·(k + 1) ints and doubles, a copy of the targets in
/// ball order and a few arrays of n.</remarks>
internal sealed class NeighbourhoodGraphPolish(int passes, int candidates, int ballPoints, double tolerance, int seed) : IHiRefPolishStep
{
    public string Name => "neighbourhood";

    public int RoundsRun { get; private set; }

    public void Apply(HiRefMatching matching, CancellationToken cancellationToken)
    {
        RoundsRun = 0;
        for (var pass = 0; pass < passes; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var previous = matching.Value;
            var step = new GlobalSparsePolish(1, candidates, ballPoints, probes: 8, tolerance, seedPotential: null, coarseSize: 0, seed: seed, minDimension: 1, exact: true);
            step.Apply(matching, cancellationToken);
            if (step.RoundsRun == 0)
            {
                break;
            }

            RoundsRun++;
            matching.Progress?.Report(new SolverProgress($"neighbourhood {pass + 1}", pass + 1, passes, (previous - matching.Value) / previous));
            if (!(previous - matching.Value > tolerance * previous))
            {
                break;
            }
        }
    }
}
