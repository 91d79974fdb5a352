namespace Monge.Solvers.Hierarchical;

/// <summary>The neighbourhood step where there are no leaf pairs (<see cref="NeighbourhoodCandidates"/> above
/// <see cref="PolishMaxPoints"/> and after the random parts' union): <see cref="NeighbourhoodGraphPolish"/>.</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>Largest n for which the leaf-free neighbourhood step (<see cref="NeighbourhoodGraphPolish"/>) runs (default
    /// 262 144, as the large slab rounds and the global step: its auction is single-threaded); 0 turns it off.</summary>
    internal int NeighbourhoodMaxPoints { get; init; } = 262144;

    /// <summary>Candidates of the leaf-free neighbourhood step on the random parts' union (<see cref="RandomPartsSize"/>) when
    /// <see cref="NeighbourhoodCandidates"/> is 0 (default 16; 0: none there either). On by default there because it was
    /// measured to pay on the union (docs/hiref.md, "Stop 24 (realnb)"); <see cref="NeighbourhoodPasses"/> = 0 turns it off.</summary>
    internal int PartsNeighbourhoodCandidates { get; init; } = 16;

    /// <summary>Stop of the union's default step (<see cref="PartsNeighbourhoodCandidates"/>): after a pass that gains at
    /// most this fraction (default 10⁻³; <see cref="PolishTolerance"/> when <see cref="NeighbourhoodCandidates"/> is set).
    /// Measured quietly at 131 072 (docs/benchmarks.md, stop 24): the single-cell-like pair's passes gain 1.9, 0.95, 0.50
    /// and 0.25% (all four run), the synthetic pairs' first pass 0.075% or less, after which further passes cost more
    /// CPU than the first for less gain (8 Gaussians → moons: one pass 0.152% at 64 CPU-s, four 0.097% at 107).</summary>
    internal double PartsNeighbourhoodTolerance { get; init; } = 1e-3;

    // The leaf-free neighbourhood step for this n, or null (off, or n out of range): NeighbourhoodCandidates, or on the random
    // parts' union PartsNeighbourhoodCandidates when that is 0. Balls of the exact candidate search as the global step's.
    private NeighbourhoodGraphPolish? NeighbourhoodStep(int n, bool union)
    {
        var k = NeighbourhoodCandidates > 0 ? NeighbourhoodCandidates : union ? PartsNeighbourhoodCandidates : 0;
        var tolerance = NeighbourhoodCandidates > 0 ? PolishTolerance : Math.Max(PolishTolerance, PartsNeighbourhoodTolerance);
        return k > 0 && NeighbourhoodPasses > 0 && n > 1 && n <= NeighbourhoodMaxPoints
            ? new NeighbourhoodGraphPolish(NeighbourhoodPasses, k, GlobalBallPoints > 0 ? GlobalBallPoints : Math.Max(128, n / 256), tolerance, Seed)
            : null;
    }
}
