using System.Diagnostics;
using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Solvers.Hierarchical;

/// <summary>The options of the random-parts step (<see cref="RandomPartsSize"/>, <see cref="RandomParts"/>): for
/// <see cref="RandomPartsMinPoints"/> &lt; n ≤ <see cref="RandomPartsMaxPoints"/> the levels and leaves of the whole problem
/// are replaced by the union of Q whole solves on seeded random parts, then polished (docs/hiref.md, "Stop 22 (parts)").</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>Points per random part (default 65 536; 0 turns the step off, as <see cref="HiRefQuality.Fast"/> does): for
    /// <see cref="RandomPartsMinPoints"/> &lt; n ≤ <see cref="RandomPartsMaxPoints"/> in dimension ≤
    /// <see cref="RandomPartsMaxDimension"/> with the squared Euclidean cost, both clouds are cut into Q = ⌈n / RandomPartsSize⌉ seeded random parts of
    /// ⌊n/Q⌋ or ⌈n/Q⌉ points (source part q and target part q of equal size), each pair of parts is matched by this solver's
    /// own budget at n/Q points (without the leaf-pair rounds unless <see cref="RandomPartsLeafPairs"/>), and the union of the matchings (a permutation; every point keeps its mass 1/n) is then
    /// polished by the whole problem's slab rounds and global step. No leaf-pair polish on the union (it has no leaves).
    /// Q &lt; 2 runs the ordinary solve, so with the default size the step runs from 65 537 points on (2 parts up to 131 072,
    /// 3 up to 196 608, 4 up to 262 144). Time: Q solves of n/Q points, one after the other; memory: one part's solve and its
    /// copy of 2·(n/Q)·d doubles.</summary>
    internal int RandomPartsSize { get; init; } = 65536;

    /// <summary>The random parts run only for n above this (default 32 768), so that smaller problems (and their golden
    /// results) are unchanged.</summary>
    internal int RandomPartsMinPoints { get; init; } = 32768;

    /// <summary>The random parts run only up to this n (default 262 144, as the large slab rounds).</summary>
    internal int RandomPartsMaxPoints { get; init; } = 262144;

    /// <summary>The random parts run only on points of at most this dimension (default 2: measured to pay on the 2-D rows
    /// at n = 131 072; docs/hiref.md, "Stop 22 (parts)").</summary>
    internal int RandomPartsMaxDimension { get; init; } = 2;

    /// <summary>The parts' solves run the leaf-pair rounds (<see cref="PolishMaxPoints"/>) when true; default false: the
    /// parts skip them (the slab rounds of the parts and of the union follow anyway). On 8 Gaussians → moons squared at
    /// n = 131 072 under load: 7.121852 (0.208% certified) in 53.7 CPU-s without them against 7.121968 (0.210%) in 70.4
    /// with them (docs/hiref.md, "Stop 22 (parts)").</summary>
    internal bool RandomPartsLeafPairs { get; init; }

    /// <summary>The number of random parts for an n-point, d-dimensional problem under these options (1: none). Squared
    /// Euclidean cost only: on 8 Gaussians → moons with the Euclidean cost at 131 072 the parts made the matching dearer
    /// (2.440542 against 2.437855; docs/hiref.md, "Stop 22 (parts)"). None with an explicit <see cref="RankSchedule"/>: the
    /// levels a caller asked for run on the whole problem, as given.</summary>
    internal int PartsFor(int n, int d) =>
        RankSchedule is null && RandomPartsSize > 0 && n > RandomPartsMinPoints && n <= RandomPartsMaxPoints && d <= RandomPartsMaxDimension && CostFunction.IsSquaredEuclidean(Cost)
            ? (int)Math.Min(n / 2, ((long)n + RandomPartsSize - 1) / RandomPartsSize)
            : 1;

    // The levels and leaves replaced by the union of the parts' solves (RandomParts), then the whole problem's polish.
    private HierarchicalRefinementResult RunParts(PointCloud<double> source, PointCloud<double> target, int parts, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // The parts run no neighbourhood step of their own: the union's runs on the whole problem.
        var partSolver = RandomPartsLeafPairs ? this with { RandomPartsSize = 0, NeighbourhoodMaxPoints = 0 } : this with { RandomPartsSize = 0, PolishMaxPoints = 0, NeighbourhoodMaxPoints = 0 };
        var union = Hierarchical.RandomParts.Solve(partSolver, source, target, parts, Seed, progress, cancellationToken);
        var partsSeconds = clock.Elapsed.TotalSeconds;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        var matching = NewMatching(source.Memory, target.Memory, source.Dimension, union.IndicesX, union.IndicesY, [], parallel, progress, union.PeakBytes);
        var report = new HiRefPolishReport("parts", parts, double.NaN, partsSeconds);
        return PolishAndFinish(matching, source.Count, union.Schedule, union.Levels, parts, union.LargestLeaf, union.LeafSeconds, union.IndicesX, union.IndicesY, clock, cancellationToken, report);
    }
}
