using System.Diagnostics;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Exact;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Hierarchical Refinement (HiRef; Halmos, Gold, Liu, Raphael, "Hierarchical Refinement: Optimal Transport to Infinity
/// and Beyond", ICML 2025): a bijective matching (Monge map) between two equal-size point clouds, computed by recursive
/// low-rank co-clustering in linear memory and log-linear time, with the leaves solved exactly.
/// </summary>
/// <remarks>
/// <para>Each level splits every block (an X-part and a Y-part of equal size m) into r child pairs: a low-rank
/// co-clustering on the block's factored cost (mirror descent on Q, R ∈ Π(1/m, 1/r), see <c>CoClustering</c>), then a
/// capacity-constrained hard split of both sides with the same child sizes ⌊m/r⌋ or ⌈m/r⌉ (margin greedy, exact for
/// r = 2). Any n works: there is no divisibility requirement and no point is dropped. Blocks of at most
/// <see cref="LeafSize"/> points are solved exactly as assignment problems on their dense cost.</para>
/// <para>Differences from the reference code: exact leaves instead of a rank-Q solve with greedy read-out; unequal
/// child sizes instead of requiring n to factor; a margin-greedy split instead of column-by-column top-k; a step
/// normalised by the gradient's row range; both sides updated alike (Jacobi steps, one step size, one start, a
/// symmetric cost approximation), so that a planted permutation is recovered exactly; parallel blocks; a polish that
/// re-solves unions of neighbouring leaves.</para>
/// <para>Time: each level costs O(n·r·(k + S)·I) for k factor columns (d + 2 for squared Euclidean), S Sinkhorn sweeps
/// and I iterations; the leaves cost O(n·L²) with L = <see cref="LeafSize"/>; with κ ≈ log(n/L)/log r̄ levels that is
/// O(n log n) for fixed ranks. Memory: the points, two index arrays (8n bytes), and per worker 4·m·r + 2·m·k + O(m)
/// doubles for the largest block it splits (3·m·r floats instead of 4·m·r doubles from <see cref="SinglePrecisionMinBlock"/> points on), plus L² doubles for a leaf — nothing n².</para>
/// <para>Deterministic for a given <see cref="Seed"/>: every block's random start is seeded from (seed, level, block)
/// and every reduction runs in a fixed order, so the result does not depend on the number of threads nor on the
/// <see cref="Executor"/> that runs the blocks of a level (<see cref="HiRefLevel"/>, <see cref="HiRefBlock"/>,
/// <see cref="HiRefBlockSplitter"/>).</para>
/// </remarks>
public sealed partial record HierarchicalRefinement
{
    /// <summary>
    /// The ground cost (null, the default: squared Euclidean). Any <see cref="ICostFunction{T}"/>: squared Euclidean
    /// and dot split blocks on exact factors, every other cost on the sampled factors of <see cref="CostFactorization"/>
    /// (<see cref="Landmarks"/>); leaves and the reported cost always use the exact cost.
    /// </summary>
    public ICostFunction<double>? Cost { get; init; }

    /// <summary>Largest leaf solved exactly (default 256; memory L² doubles per worker, time O(L³) worst case per leaf).</summary>
    public int LeafSize { get; init; } = 256;

    /// <summary>The smallest leaf, leaf pair or slab whose exact assignment runs the mixed-precision route of
    /// <see cref="LinearAssignment"/> (float32 phases, then an exact float64 repair: the same optimum, certified in double;
    /// AVX2 only). Default 128 (stop 27: 256, the leaves of 256 too, −14% of the leaves' CPU at 1 048 576 points, the same
    /// matching; stop 28: 128, so that the leaves of sizes other than a power of two — 253 or 254 at 10⁷ points — take it
    /// too; the assignment solver's own default is <see cref="LinearAssignment.MixedPrecisionMinSize"/>, 512); the slabs of
    /// 32 pairs above 262 144 points stay in double. Harness key <c>leafmixed</c>.</summary>
    internal int ExactMixedPrecisionMinSize { get; init; } = 128;

    /// <summary>Whether the exact assignments of the leaves, leaf pairs and slabs may use the multiscale warm start of
    /// <see cref="LinearAssignment"/> (default true; harness key <c>leafwarm</c>, 0 or 1). Same optimum either way.</summary>
    internal bool ExactWarmStart { get; init; } = true;

    /// <summary>The slab rounds' slabs of at most this many pairs start their exact assignment from the current pairing
    /// (<see cref="LinearAssignment.SolveFromIdentity"/>: two dual passes, then augmenting paths for the rows not tight
    /// — about half of them at 1M; the same optimum as the cold solve). Default 64 (the huge rounds' slabs of 32); 0: every slab cold
    /// (harness key <c>slabwarm</c>; docs/hiref.md "Stop 28 (slab8g)").</summary>
    internal int SlabWarmMaxSize { get; init; } = 64;

    /// <summary>Slab rounds on at most this many pairs keep the pairs' coordinates by position (2·n·d doubles plus an
    /// n·d buffer, permuted with the index arrays), so the projection, the slabs' cost fill and the cost recompute read
    /// them in order instead of gathering scattered rows; the same bits. Default 4 194 304 (48 MB at 1M in 2-D; the 10⁷
    /// runs keep their memory); 0: off (harness key <c>slabrows</c>; docs/hiref.md "Stop 30 (leaves)").</summary>
    internal int SlabRowsMaxPoints { get; init; } = 4 << 20;

    /// <summary>The smallest leaf, leaf pair or slab, and warm-start sub-problem of one, that may get the multiscale warm
    /// start of <see cref="LinearAssignment"/> (its own default is <see cref="LinearAssignment.WarmStartMinSize"/>, 128).
    /// Default 96 (stop 28, leafscan): a leaf of 253 or 254 points (10⁷ points) then warm-starts its half-size sub-problem
    /// of 126–127 too, as a leaf of 256 does with its 128 (the sub-problem's long augmenting paths were 59% of the 253-point
    /// leaves' scans; −30% of their CPU, the same matching), while the groups of 256 and 512 recurse exactly as with 128
    /// (their sub-problems of 64 stay below both). Harness key <c>leafwarmmin</c>.</summary>
    internal int ExactWarmStartMinSize { get; init; } = 96;

    /// <summary>Whether the leaves' assignments (not the leaf pairs or slabs) that may get the multiscale warm start take it
    /// at once, without the column reduction and first row reduction pass that it would discard
    /// (<see cref="LinearAssignmentWorkspace{T}.WarmStartFirst"/>; the leaves are shifted clusters, where those phases leave
    /// ≈ 87% of the rows free and the warm start is taken in all but a few leaves). The same optimum either way.
    /// Harness key <c>leafwarmfirst</c> (0 or 1).</summary>
    internal bool ExactWarmStartFirst { get; init; } = true;

    /// <summary>Augmenting row reduction passes after the multiscale warm start in the leaves' assignments (0, 1 or 2;
    /// <see cref="LinearAssignmentWorkspace{T}.WarmStartReductionPasses"/>; the leaf pairs and slabs keep 2). The same
    /// optimum either way. Harness key <c>leafwarmarr</c>.</summary>
    internal int ExactWarmStartReductionPasses { get; init; }

    /// <summary>A matching over the given arrays with this solver's cost and its exact leaf, leaf-pair and slab settings.</summary>
    private HiRefMatching NewMatching(ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int dimension, int[] indicesX, int[] indicesY, List<(int Start, int Size)> leaves, ParallelOptions parallel, IProgress<SolverProgress>? progress, long peakBytes) =>
        new(x, y, dimension, indicesX, indicesY, leaves, Cost, parallel, progress, peakBytes)
        { MixedPrecisionMinSize = ExactMixedPrecisionMinSize, WarmStart = ExactWarmStart, WarmStartMinSize = ExactWarmStartMinSize, LeafWarmStartFirst = ExactWarmStartFirst, LeafWarmStartReductionPasses = ExactWarmStartReductionPasses, CurrentWarmMaxSize = SlabWarmMaxSize, PositionalRowsMaxPoints = SlabRowsMaxPoints };

    /// <summary>The ranks per level; <see langword="null"/> (default) uses
    /// <see cref="Hierarchical.RankSchedule.ForSize"/>(n, <see cref="LeafSize"/>, <see cref="MaxRank"/>, <see cref="MaxDepth"/>).
    /// A given schedule must reach leaves of at most <see cref="LeafSize"/> points (Π rₜ ≥ n / LeafSize).</summary>
    public IReadOnlyList<int>? RankSchedule { get; init; }

    /// <summary>Largest rank per level for the automatic schedule (default 16).</summary>
    public int MaxRank { get; init; } = 16;

    /// <summary>Largest number of levels for the automatic schedule (default 8).</summary>
    public int MaxDepth { get; init; } = 8;

    /// <summary>Mirror-descent step scale γ of the co-clustering (default 4; the step is γ over the largest row range
    /// of the gradient, so γ is the largest log-contrast one step can add).</summary>
    public double Gamma { get; init; } = 4.0;

    /// <summary>Mirror-descent iterations of the co-clustering per block (default 30; fewer only when the gradient
    /// becomes constant or non-finite).</summary>
    public int MaxIterations { get; init; } = 30;

    /// <summary>Largest number of Sinkhorn sweeps per projection onto Π(1/m, 1/r) inside each mirror-descent step
    /// (default 20).</summary>
    public int MaxProjectionIterations { get; init; } = 20;

    /// <summary>A projection stops when its L1 column-marginal error is below this (default 1e-4).</summary>
    public double ProjectionTolerance { get; init; } = 1e-4;

    /// <summary>Rank of the sampled factors for costs other than squared Euclidean and dot (default 32).</summary>
    public int Landmarks { get; init; } = 32;

    /// <summary>Balanced Lloyd steps after k-means++ seeding of each block's start (default 2); −1 starts from the
    /// reference's random kernel instead.</summary>
    public int SeedingSteps { get; init; } = 2;

    /// <summary>Blocks of at least this many points run the co-clustering with its four m×r arrays (log Q, Q, log R, R)
    /// in single precision, sums still in double (default 524 288): 16·r instead of 32·r bytes per point, the largest
    /// term of the memory at millions of points. Smaller blocks keep double precision (so results below this size are
    /// unchanged); <see cref="int.MaxValue"/> turns it off. Quality measured in docs/hiref.md.</summary>
    public int SinglePrecisionMinBlock { get; init; } = 524288;

    /// <summary>Problems of at least this many points run the single-precision co-clustering on every block of every level
    /// (default 524 288; <see cref="int.MaxValue"/> leaves it to <see cref="SinglePrecisionMinBlock"/>). At a million
    /// points it takes the levels' CPU time down by the single-precision SIMD passes and the stall stop
    /// (<see cref="SinglePrecisionStallTolerance"/>); problems below it are unchanged. Quality measured in docs/hiref.md.</summary>
    public int SinglePrecisionMinPoints { get; init; } = 524288;

    /// <summary>The single-precision co-clustering stops before <see cref="MaxIterations"/> once the low-rank objective
    /// (read from the contractions it computes anyway) has changed by at most this fraction in each of two consecutive
    /// mirror steps (default 1e-4; 0 runs every iteration). The double-precision path always runs
    /// <see cref="MaxIterations"/>.</summary>
    public double SinglePrecisionStallTolerance { get; init; } = 1e-4;

    /// <summary>The stall tolerance of the single-precision co-clustering on problems of more than
    /// <see cref="LargeSlabMaxPoints"/> points, where the huge-slab rounds run by default (default 1e-3;
    /// <see cref="SinglePrecisionStallTolerance"/> applies to every smaller problem). At 1 048 576 points it takes about a
    /// quarter off the solve's CPU time; the rounds absorb the levels' extra excess (8 Gaussians → moons: certified 0.742%
    /// against 0.727% with 1e-4). Measured in docs/hiref.md ("Stop 22 (fast1m)").</summary>
    public double SinglePrecisionLargeStallTolerance { get; init; } = 1e-3;

    /// <summary>Each projection of the single-precision co-clustering starts its column scalings from the previous mirror
    /// step's final ones on the same side (default true; false starts from 1, the behaviour before stop 20). A start, not a
    /// different projection: converged projections are the same; the warm start converges in ~40% of the sweeps and, with
    /// the projections no longer cut at <see cref="MaxProjectionIterations"/>, the matchings are cheaper (docs/hiref.md,
    /// "Sixth pass"). The double-precision path is unchanged.</summary>
    internal bool WarmColumnScalings { get; init; } = true;

    /// <summary>Seed of every random choice (default 0).</summary>
    public int Seed { get; init; }

    /// <summary>After the leaves, re-solve unions of two neighbouring leaves exactly, in rounds (see
    /// <see cref="PolishRounds"/>); never raises the cost (default on; it repairs co-clustering mistakes at block
    /// boundaries). Applied only when n ≤ <see cref="PolishMaxPoints"/>.</summary>
    public bool Polish { get; init; } = true;

    /// <summary>Largest n for which <see cref="Polish"/> runs (default 65 536): the gain is about 1% at n = 4096 and
    /// falls with n (more levels, and most leaves sit far from the first levels' cuts) while its time grows linearly.</summary>
    public int PolishMaxPoints { get; init; } = 65536;

    /// <summary>Rounds of the polish (default 3). Each round pairs every leaf with a near leaf (by the distance between
    /// their source and target centroids; greedy, disjoint, no pair twice) and re-solves each pair's union exactly.</summary>
    public int PolishRounds { get; init; } = 8;

    /// <summary>The polish stops early after a round that lowers the cost by at most this fraction (default 1e-5).</summary>
    public double PolishTolerance { get; init; } = 1e-5;

    /// <summary>Opt-in neighbourhood step of the polish (default 0: off; 16 is a good value). After the leaf-pair rounds
    /// the whole matching is re-solved on a sparse candidate graph: each source point keeps its partner and gains this
    /// many targets, the nearest to that partner within its leaf's neighbourhood; solved by ε-scaling auction to
    /// within 10⁻⁷ (relative) of the graph's optimum and kept only if cheaper. It moves points along chains that cross
    /// many leaves, which no leaf pair can; see docs/hiref.md for what it gains and costs. Above <see cref="PolishMaxPoints"/>
    /// (up to 262 144 points) the candidates are the k targets nearest the partner over all targets (exact search, no
    /// leaves), and on the random parts' union (2-D squared Euclidean, 65 536 &lt; n ≤ 262 144) that step runs with 16
    /// candidates even at 0 (measured to pay there, docs/hiref.md "Stop 24 (realnb)"); <see cref="NeighbourhoodPasses"/> = 0
    /// turns every neighbourhood step off.</summary>
    public int NeighbourhoodCandidates { get; init; }

    /// <summary>Leaves in a neighbourhood for <see cref="NeighbourhoodCandidates"/>: the point's own leaf and the
    /// nearest others by target centroid (default 9).</summary>
    public int NeighbourhoodLeaves { get; init; } = 9;

    /// <summary>Most passes of the neighbourhood step (default 4); each pass re-centres the candidates on the new
    /// partners, and the passes stop early after one that gains less than <see cref="PolishTolerance"/>.</summary>
    public int NeighbourhoodPasses { get; init; } = 4;

    /// <summary>Slab rounds of the polish (default 8, for n ≤ <see cref="SlabMaxPoints"/>; 0 turns them off): each round
    /// projects every matched pair (x, y_σ(x)) on a seeded random direction of the joint 2d-dimensional space, cuts the
    /// sorted pairs into slabs of <see cref="SlabSize"/> and re-solves each slab exactly (for n ≤ SlabSize one round
    /// solves the whole problem exactly). Slabs cut across the leaves, so
    /// mass moves between blocks that the co-clustering separated; it never raises the cost. Time per round: n /
    /// SlabSize exact assignments of SlabSize points; memory SlabSize² doubles per worker.</summary>
    public int SlabRounds { get; init; } = 8;

    /// <summary>Largest n for which <see cref="SlabRounds"/> run (default 32 768): at n = 16 384 they bring every
    /// synthetic pair within 0.5% of the optimum for about 2–4× the time; above, the time grows faster than the gain.</summary>
    public int SlabMaxPoints { get; init; } = 32768;

    /// <summary>Pairs per slab for <see cref="SlabRounds"/> (default 1024).</summary>
    public int SlabSize { get; init; } = 1024;

    /// <summary>Slab rounds for the larger problems, SlabMaxPoints &lt; n ≤ <see cref="LargeSlabMaxPoints"/> (default 16;
    /// 0 turns them off): the same rounds as <see cref="SlabRounds"/> with slabs of <see cref="LargeSlabSize"/> pairs, which
    /// cost a quarter of the time of 1024-pair slabs per round and gain more per second (docs/hiref.md), stopping after two
    /// consecutive rounds that each gain at most <see cref="LargeSlabTolerance"/>. At n = 131 072 the rounds take 8 Gaussians
    /// → moons from 0.92% to 0.09% above the issue's bound and the checkerboard from 3.33% to 0.46% above its certified bound
    /// (16 rounds; 8 rounds stopped it at 0.67%). Time per round: n / LargeSlabSize exact assignments of LargeSlabSize points.</summary>
    public int LargeSlabRounds { get; init; } = 16;

    /// <summary>Pairs per slab for <see cref="LargeSlabRounds"/> (default 512; memory LargeSlabSize² doubles per worker).</summary>
    public int LargeSlabSize { get; init; } = 512;

    /// <summary>Largest n for which <see cref="LargeSlabRounds"/> run (default 262 144; <see cref="HiRefQuality.Best"/> lifts
    /// it). At n = 1 048 576 a round takes about as long as a co-clustering level.</summary>
    public int LargeSlabMaxPoints { get; init; } = 262144;

    /// <summary><see cref="LargeSlabRounds"/> stop after two consecutive rounds that each lower the cost by at most this
    /// fraction (default 1e-4).</summary>
    public double LargeSlabTolerance { get; init; } = 1e-4;

    /// <summary>How many consecutive rounds gaining at most <see cref="LargeSlabTolerance"/> stop the
    /// <see cref="LargeSlabRounds"/> (default 2; 1 stops at the first, the rule before stop 20). A round's gain depends on its
    /// random direction: the checkerboard at n = 131 072 gains 2.8·10⁻⁵ in round 11, then 3.6·10⁻⁴ and 6.4·10⁻⁴.</summary>
    internal int LargeSlabPatience { get; init; } = 2;

    /// <summary>Slab rounds of <see cref="FirstSlabSize"/> pairs run before the <see cref="LargeSlabRounds"/>, for the same
    /// n (SlabMaxPoints &lt; n ≤ LargeSlabMaxPoints; default 0: none). Every round runs (no stop rule); their directions are
    /// SplitMix64(seed, 2000 + round, 0), independent of the rounds that follow. Experiment of stop 21 (docs/hiref.md,
    /// "Stop 21 (slab8g)"). Memory FirstSlabSize² doubles per worker.</summary>
    internal int FirstSlabRounds { get; init; }

    /// <summary>Pairs per slab for <see cref="FirstSlabRounds"/> (default 4096).</summary>
    internal int FirstSlabSize { get; init; } = 4096;

    /// <summary>Slab rounds for the largest problems, n &gt; <see cref="LargeSlabMaxPoints"/> (default 8; 0 turns them off):
    /// the rounds of <see cref="SlabRounds"/> with slabs of <see cref="HugeSlabSize"/> pairs, stopping after a round that
    /// gains at most <see cref="HugeSlabTolerance"/>. Small slabs gain about as much per round as slabs of 512 at a
    /// million points (a round of random joint directions moves most pairs either way) for a fraction of the time:
    /// measured in docs/hiref.md. Time per round: n / HugeSlabSize exact assignments of HugeSlabSize points and one
    /// sort of the n pairs; memory HugeSlabSize² doubles per worker and 3n ints + n doubles for the sort.</summary>
    public int HugeSlabRounds { get; init; } = 8;

    /// <summary>Pairs per slab for <see cref="HugeSlabRounds"/> (default 32).</summary>
    public int HugeSlabSize { get; init; } = 32;

    /// <summary><see cref="HugeSlabRounds"/> stop after a round that lowers the cost by at most this fraction (default
    /// 1e-3): where the co-clustering is already close (half-moon → S-curve at 10⁶ points) one round runs, where it is
    /// not (8 Gaussians → moons) the rounds go on. With the Euclidean cost the stop is a quarter of this (2.5·10⁻⁴ by
    /// default; stop 23, measured in docs/hiref.md "Stop 23 (e1m)").</summary>
    public double HugeSlabTolerance { get; init; } = 1e-3;

    /// <summary>Largest number of threads (default −1: all cores).</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>The executor that runs the blocks of each level (default <see cref="LocalParallelExecutor"/>); the result
    /// is bit-identical whatever the executor, its order and its number of threads.</summary>
    public IHiRefExecutor Executor { get; init; } = LocalParallelExecutor.Instance;

    /// <summary>The options of a time/quality budget (what <c>monge match --quality</c> uses); set other options on the
    /// result with <c>with</c>. Each budget runs the same levels and leaves and a prefix-extended polish, so for the
    /// same data and seed Best ≤ Balanced ≤ Fast in cost (up to 32 768 points; see below).</summary>
    /// <param name="quality"><see cref="HiRefQuality.Fast"/>: no slab rounds and no global refinement (the leaf-pair polish up
    /// to <see cref="PolishMaxPoints"/> stays); <see cref="HiRefQuality.Balanced"/>: the defaults;
    /// <see cref="HiRefQuality.Best"/>: 16 slab rounds at every n (<see cref="LargeSlabMaxPoints"/> lifted, stop
    /// tolerance 1e-5) and 4 global passes (32 768 &lt; n ≤ 262 144). Above 32 768 points the global passes start from
    /// different matchings, and in 2-D Balanced and Best replace the levels by the random parts (<see cref="RandomPartsSize"/>; Fast
    /// keeps the levels), so there Best ≤ Balanced ≤ Fast is expected but not guaranteed. Measured costs and times per budget are in docs/hiref.md.</param>
    /// <returns>A solver with those options and every other option at its default.</returns>
    public static HierarchicalRefinement ForQuality(HiRefQuality quality) => quality switch
    {
        HiRefQuality.Fast => new HierarchicalRefinement { SlabRounds = 0, LargeSlabRounds = 0, HugeSlabRounds = 0, GlobalPasses = 0, RandomPartsSize = 0 },
        HiRefQuality.Balanced => new HierarchicalRefinement(),
        HiRefQuality.Best => new HierarchicalRefinement { SlabRounds = 16, LargeSlabRounds = 16, LargeSlabMaxPoints = int.MaxValue, LargeSlabTolerance = 1e-5, GlobalPasses = 4 },
        _ => throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown quality {quality}.", nameof(quality)),
    };

    /// <summary>Matches <paramref name="source"/> to <paramref name="target"/>.</summary>
    /// <param name="source">n source points (uniform weights).</param>
    /// <param name="target">n target points of the same dimension (uniform weights).</param>
    /// <param name="progress">Receives one report per level ("level t", blocks done, blocks in the level), then "leaves".</param>
    /// <param name="cancellationToken">Checked between blocks and between mirror-descent iterations.</param>
    /// <returns>The permutation, its cost and per-level diagnostics.</returns>
    /// <exception cref="InputValidationException">Different sizes (use an entropic or exact solver for unequal sets),
    /// different dimensions, non-uniform weights, or invalid options.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public HierarchicalRefinementResult Solve(PointCloud<double> source, PointCloud<double> target, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(source, target, Validate(source, target), progress, cancellationToken);

    /// <summary>Matches the source points of <paramref name="problem"/> to its target points, read through
    /// <see cref="IPointCloudGeometry{T}"/>.</summary>
    /// <param name="problem">A balanced problem on a point-cloud geometry with n = m, uniform weights, this solver's
    /// <see cref="Cost"/> and scale factor 1.</param>
    /// <param name="progress">As for the point-cloud overload.</param>
    /// <param name="cancellationToken">Checked between blocks and between mirror-descent iterations.</param>
    /// <returns>The permutation, its cost and per-level diagnostics.</returns>
    /// <exception cref="InputValidationException">The geometry has no points, n ≠ m, non-uniform weights, a relaxed
    /// marginal, a cost other than <see cref="Cost"/> or a scale factor other than 1, or invalid options.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public HierarchicalRefinementResult Solve(LinearProblem<double> problem, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        // The problem names the cost: a solver left at the default (null) adopts it; an explicit Cost must agree.
        var solver = Cost is null && problem.Geometry is IPointCloudGeometry<double> pc ? this with { Cost = pc.CostFunction } : this;
        var schedule = solver.ValidateProblem(problem, out var points);
        return solver.Run(points.Source, points.Target, schedule, progress, cancellationToken);
    }

    // Orchestration: schedule → levels through the executor → exact leaves → polish steps → result.
    private HierarchicalRefinementResult Run(PointCloud<double> source, PointCloud<double> target, int[] schedule, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        if (PartsFor(source.Count, source.Dimension) is var parts and > 1)
        {
            return RunParts(source, target, parts, progress, cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        (schedule, var firstRank) = ChooseSchedule(source, target, schedule, progress, cancellationToken);
        var trunk = RunTrunk(source, target, schedule, 0, progress, cancellationToken, clock);
        var blocks = trunk.Blocks;
        cancellationToken.ThrowIfCancellationRequested();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        var leaves = blocks.ConvertAll(b => (b.XStart, b.Size));
        var matching = NewMatching(trunk.X, trunk.Y, trunk.D, trunk.IdxX, trunk.IdxY, leaves, parallel, progress, trunk.Peak);
        var leafClock = Stopwatch.StartNew();
        matching.SolveExactly(leaves.ConvertAll(b => (b.XStart, b.Size, 0, 0)), "leaves", cancellationToken);
        var leafSeconds = leafClock.Elapsed.TotalSeconds;
        return PolishAndFinish(matching, trunk.N, schedule, trunk.Levels, blocks.Count, blocks.Max(b => b.Size), leafSeconds, trunk.IdxX, trunk.IdxY, trunk.Clock, cancellationToken, firstRank: firstRank);
    }

    // The state of a solve after its levels: the clouds, the permuted index arrays, the blocks of the last level run, the
    // level reports, the scratch peak and the solve's clock.
    private sealed record Trunk(int N, int D, ReadOnlyMemory<double> X, ReadOnlyMemory<double> Y, int[] IdxX, int[] IdxY, List<HiRefBlock> Blocks, List<HiRefLevelReport> Levels, long Peak, Stopwatch Clock);

    // The one prologue and level loop of Solve and SolveWithSubtrees: identity index arrays, one block, then the levels of
    // the schedule while some block has more than stopAtOrBelow points (0: until every block is a leaf), with one scratch
    // pool for all levels, trimmed before each level to the level's block size and emptied at the end.
    // The clock is the solve's (started before the choice of level 1's rank, when that runs).
    private Trunk RunTrunk(PointCloud<double> source, PointCloud<double> target, int[] schedule, int stopAtOrBelow, IProgress<SolverProgress>? progress, CancellationToken cancellationToken, Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        var n = source.Count;
        var d = source.Dimension;
        var idxX = Enumerable.Range(0, n).ToArray();
        var idxY = Enumerable.Range(0, n).ToArray();
        var peak = 2L * n * sizeof(int);
        var splitter = new HiRefBlockSplitter(SplitOptionsFor(n));
        var levels = new List<HiRefLevelReport>();
        var blocks = new List<HiRefBlock> { new(0, 0, 0, 0, n) };

        // A worker of level t + 1 reuses the buffers of level t instead of allocating beside them, unless they were sized
        // for blocks more than twice as large (then they are dropped: at 10⁷ points level 1's scratch alone is ~2.7 GB).
        var pool = new HiRefScratchPool();
        for (var level = 0; level < schedule.Length && blocks.Max(b => b.Size) > stopAtOrBelow; level++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = RunLevel(level, schedule[level], blocks, splitter, source.Memory, target.Memory, d, idxX, idxY, progress, levels, pool, ref peak, cancellationToken);
            if (next is null)
            {
                break;
            }

            blocks = next;
        }

        pool.Clear();
        return new Trunk(n, d, source.Memory, target.Memory, idxX, idxY, blocks, levels, peak, clock);
    }

    // After the leaves (solved here or on workers): the cost before polish, the polish steps for this n and leaf count,
    // and the result (permutation from the paired index arrays).
    private HierarchicalRefinementResult PolishAndFinish(HiRefMatching matching, int n, int[] schedule, List<HiRefLevelReport> levels, int leafCount, int maxLeafSize, double leafSeconds, int[] idxX, int[] idxY, Stopwatch clock, CancellationToken cancellationToken, HiRefPolishReport? partsReport = null, HiRefFirstRankReport? firstRank = null)
    {
        var costBeforePolish = matching.Recompute();
        var polishClock = Stopwatch.StartNew();
        var steps = PolishSteps(n, leafCount, withLeaves: partsReport is null);
        var polishReports = new List<HiRefPolishReport>(steps.Count + 1);
        if (partsReport is not null)
        {
            polishReports.Add(partsReport with { Cost = costBeforePolish });
        }

        foreach (var step in steps)
        {
            var stepClock = Stopwatch.StartNew();
            step.Apply(matching, cancellationToken);
            polishReports.Add(new HiRefPolishReport(step.Name, step.RoundsRun, matching.Value, stepClock.Elapsed.TotalSeconds));
        }

        var polishSeconds = steps.Count > 0 ? polishClock.Elapsed.TotalSeconds : 0.0;
        var permutation = new int[n];
        for (var p = 0; p < n; p++)
        {
            permutation[idxX[p]] = idxY[p];
        }

        return new HierarchicalRefinementResult(permutation, matching.Value, schedule, levels, maxLeafSize, leafSeconds, costBeforePolish, polishSeconds, matching.PolishRounds, matching.PeakBytes, clock.Elapsed) { PolishSteps = polishReports, FirstRank = firstRank };
    }

    /// <summary>
    /// The options every block of an <paramref name="n"/>-point problem is split with: from
    /// <see cref="SinglePrecisionMinPoints"/> points on, every block in single precision. Every splitter — this machine's
    /// levels, a subtree, a remote worker — is built from these, so the precision of a block depends on the problem's size
    /// and never on where the block runs. Above <see cref="LargeSlabMaxPoints"/> points the stall tolerance is
    /// <see cref="SinglePrecisionLargeStallTolerance"/>.
    /// </summary>
    internal HierarchicalRefinement SplitOptionsFor(int n)
    {
        var options = n > LargeSlabMaxPoints ? this with { SinglePrecisionStallTolerance = SinglePrecisionLargeStallTolerance } : this;
        return n >= SinglePrecisionMinPoints ? options with { SinglePrecisionMinBlock = 1 } : options;
    }

    // One level: the blocks above LeafSize go to the executor; the next level lists every block in index-array order
    // (leaves carried over, split blocks replaced by their children), numbered by position from firstIndex (0 for the
    // whole problem; a subtree's first block of the next level otherwise). Null when nothing is split. The one level loop
    // body of Solve, SolveWithSubtrees and SolveSubtree (the last passes no progress and no reports).
    private List<HiRefBlock>? RunLevel(int number, int rank, List<HiRefBlock> blocks, HiRefBlockSplitter splitter, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int d, int[] idxX, int[] idxY, IProgress<SolverProgress>? progress, List<HiRefLevelReport>? reports, HiRefScratchPool pool, ref long peak, CancellationToken cancellationToken, int firstIndex = 0)
    {
        var split = blocks.FindAll(b => b.Size > LeafSize);
        if (split.Count == 0)
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        pool.TrimFor(split.Max(b => b.Size));
        // A level starts with a report of none done, so that a level of one large block (the first) shows at once.
        progress?.Report(new SolverProgress($"level {number + 1}", 0, split.Count, double.NaN));
        var level = new HiRefLevel(number, rank, split);
        var input = new HiRefLevelInput(splitter, x, y, d, idxX, idxY, MaxDegreeOfParallelism, level, progress) { ScratchPool = pool };
        var task = Executor.RunLevelAsync(level, input, cancellationToken);
        var result = task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
        if (result.Children.Count != split.Count)
        {
            throw new InvalidOperationException($"The executor returned children for {result.Children.Count} blocks; the level has {split.Count}.");
        }

        peak = Math.Max(peak, (2L * idxX.Length * sizeof(int)) + result.ScratchBytes);
        var next = new List<HiRefBlock>(blocks.Count * rank);
        var s = 0;
        foreach (var block in blocks)
        {
            var parts = block.Size > LeafSize ? CheckedChildren(block, result.Children[s++]) : [block];
            foreach (var part in parts)
            {
                next.Add(part with { Level = number + 1, Index = firstIndex + next.Count });
            }
        }

        reports?.Add(new HiRefLevelReport(rank, split.Count, blocks.Max(b => b.Size), clock.Elapsed.TotalSeconds, BlockCost(x, y, d, idxX, idxY, next, idxX.Length)));
        return next;
    }

    // An executor's children must tile the block's ranges in order (what Split returns).
    private static IReadOnlyList<HiRefBlock> CheckedChildren(HiRefBlock block, IReadOnlyList<HiRefBlock> children)
    {
        var offset = 0;
        foreach (var child in children)
        {
            if (child.XStart != block.XStart + offset || child.YStart != block.YStart + offset || child.Size < 1)
            {
                throw new InvalidOperationException($"The executor's children of block {block.Index} (level {block.Level}) do not tile its ranges.");
            }

            offset += child.Size;
        }

        return offset == block.Size
            ? children
            : throw new InvalidOperationException($"The executor's children of block {block.Index} (level {block.Level}) hold {offset} points; the block has {block.Size}.");
    }

    // The polish steps in order (after the random parts' union, if any, which has no leaves: no leaf pairs): leaf pairs and the neighbourhood step (n ≤ PolishMaxPoints), then the slab rounds
    // (SlabRounds for n ≤ SlabMaxPoints, LargeSlabRounds above, up to LargeSlabMaxPoints, HugeSlabRounds above); none when polish is off or
    // there is one leaf.
    private List<IHiRefPolishStep> PolishSteps(int n, int leafCount, bool withLeaves = true)
    {
        var steps = new List<IHiRefPolishStep>();
        if (!Polish || leafCount <= 1)
        {
            return steps;
        }

        if (withLeaves && n <= PolishMaxPoints)
        {
            steps.Add(new LeafPairPolish(PolishRounds, PolishTolerance));
            if (NeighbourhoodCandidates > 0)
            {
                steps.Add(new NeighbourhoodPolish(NeighbourhoodCandidates, NeighbourhoodLeaves, NeighbourhoodPasses, PolishTolerance));
            }
        }
        else if (NeighbourhoodStep(n, union: !withLeaves) is { } graph)
        {
            steps.Add(graph);
        }

        if (SlabRounds > 0 && n <= SlabMaxPoints)
        {
            steps.Add(new SlabPolish(SlabRounds, SlabSize, Seed));
        }
        else if (LargeSlabRounds > 0 && n > SlabMaxPoints && n <= LargeSlabMaxPoints)
        {
            if (FirstSlabRounds > 0)
            {
                steps.Add(new SlabPolish(FirstSlabRounds, FirstSlabSize, Seed, directionOffset: 2000));
            }

            steps.Add(new SlabPolish(LargeSlabRounds, LargeSlabSize, Seed, LargeSlabTolerance, LargeSlabPatience));
        }
        else if (HugeSlabRounds > 0 && n > SlabMaxPoints && n > LargeSlabMaxPoints)
        {
            steps.Add(new SlabPolish(HugeSlabRounds, HugeSlabSize, Seed, HugeSlabStop()));
        }

        if (GlobalStep(n) is { } global)
        {
            steps.Add(global);
        }
        else if (GroupedStep(n) is { } grouped)
        {
            steps.Add(grouped);
        }

        return steps;
    }

    /// <summary>The schedule <see cref="Solve(PointCloud{double}, PointCloud{double}, IProgress{SolverProgress}?, CancellationToken)"/> would use for n points.</summary>
    /// <param name="n">The number of points.</param>
    public int[] ScheduleFor(int n)
    {
        if (RankSchedule is null)
        {
            return Hierarchical.RankSchedule.ForSize(n, LeafSize, MaxRank, MaxDepth);
        }

        var schedule = RankSchedule.ToArray();
        for (var t = 0; t < schedule.Length; t++)
        {
            if (schedule[t] < 2)
            {
                throw Invalid($"Rank schedule entry {t} is {schedule[t]}; ranks must be at least 2.", nameof(RankSchedule), t);
            }
        }

        var leaf = Hierarchical.RankSchedule.LargestLeaf(n, schedule);
        if (leaf > LeafSize)
        {
            throw Invalid(
                $"Rank schedule [{string.Join(",", schedule)}] leaves blocks of up to {leaf} points for n = {n}, above the leaf size {LeafSize}; "
                + "add ranks or raise LeafSize.",
                nameof(RankSchedule));
        }

        return schedule;
    }

    private int[] Validate(PointCloud<double> source, PointCloud<double> target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        RequireShapes(source, target, nameof(target));
        RequireUniform(source, nameof(source));
        RequireUniform(target, nameof(target));
        return ValidateOptions(source.Count);
    }

    // The problem overload reads points through the capability interface (never a downcast to a concrete geometry).
    private int[] ValidateProblem(LinearProblem<double> problem, out IPointCloudGeometry<double> points)
    {
        if (problem.Geometry is not IPointCloudGeometry<double> pc)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"Hierarchical Refinement needs point coordinates, but the problem's geometry ({problem.Geometry.GetType().Name}) has none; "
                + "build the problem on point clouds (LinearProblem.FromPointClouds).",
                nameof(problem));
        }

        RequireShapes(pc.Source, pc.Target, nameof(problem));
        Require(problem.IsBalanced, "Hierarchical Refinement needs a balanced problem (Relaxation.Balanced).", nameof(problem));
        RequireUniform(problem.A, "a");
        RequireUniform(problem.B, "b");
        RequireCost(pc);
        points = pc;
        return ValidateOptions(pc.Source.Count);
    }

    // The geometry's cost must be this solver's Cost, unscaled (the reported cost is (1/n) Σ c).
    private void RequireCost(IPointCloudGeometry<double> pc)
    {
        var expected = Cost?.Name ?? "sqeuclidean";
        Require(pc.CostFunction.Name == expected, $"The problem's cost is {pc.CostFunction.Name} but this solver's Cost is {expected}; leave Cost unset (the problem's cost is used) or set it to match.", nameof(Cost));
        Require(pc.ScaleFactor == 1.0, $"The problem's geometry scales the cost by {pc.ScaleFactor}; Hierarchical Refinement needs scale factor 1.", "problem");
    }

    private static void RequireShapes(PointCloud<double> source, PointCloud<double> target, string parameter)
    {
        if (source.Count != target.Count)
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"Hierarchical Refinement matches equal-size sets one to one, but the source has {source.Count} points and the target {target.Count}; "
                + "for sets of different sizes compute a coupling instead (Sinkhorn, low-rank or exact OT; 'monge solve' on the command line).",
                parameter);
        }

        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"Source points have dimension {source.Dimension} but target points have dimension {target.Dimension}.",
                parameter);
        }
    }

    private int[] ValidateOptions(int n)
    {
        Require(LeafSize >= 1, $"LeafSize must be at least 1 (got {LeafSize}).", nameof(LeafSize));
        Require(ExactMixedPrecisionMinSize >= 2, $"ExactMixedPrecisionMinSize must be at least 2 (got {ExactMixedPrecisionMinSize}).", nameof(ExactMixedPrecisionMinSize));
        Require(ExactWarmStartReductionPasses is >= 0 and <= 2, $"ExactWarmStartReductionPasses must be 0, 1 or 2 (got {ExactWarmStartReductionPasses}).", nameof(ExactWarmStartReductionPasses));
        Require(ExactWarmStartMinSize >= 2, $"ExactWarmStartMinSize must be at least 2 (got {ExactWarmStartMinSize}).", nameof(ExactWarmStartMinSize));
        Require(LeafSize <= 8192, $"LeafSize must be at most 8192 (got {LeafSize}); a leaf needs LeafSize² doubles per worker.", nameof(LeafSize));
        Require(MaxRank >= 2, $"MaxRank must be at least 2 (got {MaxRank}).", nameof(MaxRank));
        Require(MaxDepth >= 1, $"MaxDepth must be at least 1 (got {MaxDepth}).", nameof(MaxDepth));
        Require(Gamma > 0 && double.IsFinite(Gamma), $"Gamma must be positive and finite (got {Gamma}).", nameof(Gamma));
        Require(MaxIterations >= 0, $"MaxIterations must be non-negative (got {MaxIterations}).", nameof(MaxIterations));
        Require(MaxProjectionIterations >= 1, $"MaxProjectionIterations must be at least 1 (got {MaxProjectionIterations}).", nameof(MaxProjectionIterations));
        Require(ProjectionTolerance >= 0 && !double.IsNaN(ProjectionTolerance), $"ProjectionTolerance must be non-negative (got {ProjectionTolerance}).", nameof(ProjectionTolerance));
        Require(SeedingSteps >= -1, $"SeedingSteps must be −1 or more (got {SeedingSteps}).", nameof(SeedingSteps));
        Require(PolishTolerance >= 0 && !double.IsNaN(PolishTolerance), $"PolishTolerance must be non-negative (got {PolishTolerance}).", nameof(PolishTolerance));
        Require(NeighbourhoodCandidates >= 0, $"NeighbourhoodCandidates must be non-negative (got {NeighbourhoodCandidates}).", nameof(NeighbourhoodCandidates));
        Require(SlabMaxPoints >= 0, $"SlabMaxPoints must be non-negative (got {SlabMaxPoints}).", nameof(SlabMaxPoints));
        Require(SlabRounds >= 0, $"SlabRounds must be non-negative (got {SlabRounds}).", nameof(SlabRounds));
        Require(SlabSize >= 2 && SlabSize <= 8192, $"SlabSize must be in [2, 8192] (got {SlabSize}).", nameof(SlabSize));
        Require(LargeSlabRounds >= 0, $"LargeSlabRounds must be non-negative (got {LargeSlabRounds}).", nameof(LargeSlabRounds));
        Require(LargeSlabSize >= 2 && LargeSlabSize <= 8192, $"LargeSlabSize must be in [2, 8192] (got {LargeSlabSize}).", nameof(LargeSlabSize));
        Require(LargeSlabMaxPoints >= 0, $"LargeSlabMaxPoints must be non-negative (got {LargeSlabMaxPoints}).", nameof(LargeSlabMaxPoints));
        Require(FirstSlabRounds >= 0, $"FirstSlabRounds must be non-negative (got {FirstSlabRounds}).", nameof(FirstSlabRounds));
        Require(FirstSlabSize >= 2 && FirstSlabSize <= 8192, $"FirstSlabSize must be in [2, 8192] (got {FirstSlabSize}).", nameof(FirstSlabSize));
        Require(LargeSlabPatience >= 1, $"LargeSlabPatience must be at least 1 (got {LargeSlabPatience}).", nameof(LargeSlabPatience));
        Require(LargeSlabTolerance >= 0 && !double.IsNaN(LargeSlabTolerance), $"LargeSlabTolerance must be non-negative (got {LargeSlabTolerance}).", nameof(LargeSlabTolerance));
        Require(SlabWarmMaxSize >= 0, $"SlabWarmMaxSize must be non-negative (got {SlabWarmMaxSize}).", nameof(SlabWarmMaxSize));
        Require(SlabRowsMaxPoints >= 0, $"SlabRowsMaxPoints must be non-negative (got {SlabRowsMaxPoints}).", nameof(SlabRowsMaxPoints));
        Require(HugeSlabRounds >= 0, $"HugeSlabRounds must be non-negative (got {HugeSlabRounds}).", nameof(HugeSlabRounds));
        Require(HugeSlabSize >= 2 && HugeSlabSize <= 8192, $"HugeSlabSize must be in [2, 8192] (got {HugeSlabSize}).", nameof(HugeSlabSize));
        Require(HugeSlabTolerance >= 0 && !double.IsNaN(HugeSlabTolerance), $"HugeSlabTolerance must be non-negative (got {HugeSlabTolerance}).", nameof(HugeSlabTolerance));
        Require(NeighbourhoodPasses >= 0, $"NeighbourhoodPasses must be non-negative (got {NeighbourhoodPasses}).", nameof(NeighbourhoodPasses));
        Require(PartsNeighbourhoodCandidates >= 0, $"PartsNeighbourhoodCandidates must be non-negative (got {PartsNeighbourhoodCandidates}).", nameof(PartsNeighbourhoodCandidates));
        Require(PartsNeighbourhoodTolerance >= 0 && !double.IsNaN(PartsNeighbourhoodTolerance), $"PartsNeighbourhoodTolerance must be non-negative (got {PartsNeighbourhoodTolerance}).", nameof(PartsNeighbourhoodTolerance));
        Require(NeighbourhoodMaxPoints >= 0, $"NeighbourhoodMaxPoints must be non-negative (got {NeighbourhoodMaxPoints}).", nameof(NeighbourhoodMaxPoints));
        Require(NeighbourhoodLeaves >= 1, $"NeighbourhoodLeaves must be at least 1 (got {NeighbourhoodLeaves}).", nameof(NeighbourhoodLeaves));
        Require(PolishRounds >= 0, $"PolishRounds must be non-negative (got {PolishRounds}).", nameof(PolishRounds));
        Require(SinglePrecisionMinBlock >= 1, $"SinglePrecisionMinBlock must be at least 1 (got {SinglePrecisionMinBlock}).", nameof(SinglePrecisionMinBlock));
        Require(SinglePrecisionMinPoints >= 1, $"SinglePrecisionMinPoints must be at least 1 (got {SinglePrecisionMinPoints}).", nameof(SinglePrecisionMinPoints));
        Require(SinglePrecisionStallTolerance >= 0 && double.IsFinite(SinglePrecisionStallTolerance), $"SinglePrecisionStallTolerance must be non-negative and finite (got {SinglePrecisionStallTolerance}).", nameof(SinglePrecisionStallTolerance));
        Require(SinglePrecisionLargeStallTolerance >= 0 && double.IsFinite(SinglePrecisionLargeStallTolerance), $"SinglePrecisionLargeStallTolerance must be non-negative and finite (got {SinglePrecisionLargeStallTolerance}).", nameof(SinglePrecisionLargeStallTolerance));
        Require(Landmarks >= 1, $"Landmarks must be at least 1 (got {Landmarks}).", nameof(Landmarks));
        Require(SquaredFactorsMinBlock >= 1, $"SquaredFactorsMinBlock must be at least 1 (got {SquaredFactorsMinBlock}).", nameof(SquaredFactorsMinBlock));
        Require(LargeBlockLandmarks >= 0, $"LargeBlockLandmarks must be non-negative (got {LargeBlockLandmarks}).", nameof(LargeBlockLandmarks));
        Require(LargeBlockCostSteps >= 0, $"LargeBlockCostSteps must be non-negative (got {LargeBlockCostSteps}).", nameof(LargeBlockCostSteps));
        Require(LargeBlockCostSteps == 0 || LargeBlockSquaredFactors, $"LargeBlockCostSteps ({LargeBlockCostSteps}) needs LargeBlockSquaredFactors: the steps follow the squared factors' co-clustering.", nameof(LargeBlockCostSteps));
        Require(LargeBlockMaxIterations >= 0, $"LargeBlockMaxIterations must be non-negative (got {LargeBlockMaxIterations}).", nameof(LargeBlockMaxIterations));
        Require(LargeBlockStallTolerance is null || (LargeBlockStallTolerance >= 0 && double.IsFinite(LargeBlockStallTolerance.Value)), $"LargeBlockStallTolerance must be non-negative and finite (got {LargeBlockStallTolerance}).", nameof(LargeBlockStallTolerance));
        Require(MaxDegreeOfParallelism is -1 or >= 1, $"MaxDegreeOfParallelism must be -1 or positive (got {MaxDegreeOfParallelism}).", nameof(MaxDegreeOfParallelism));
        Require(Executor is not null, "Executor must not be null.", nameof(Executor));
        ValidateGlobal();
        ValidateGroups();
        ValidateEuclidean();
        ValidateFirstRank();
        return ScheduleFor(n);
    }

    private static void RequireUniform(PointCloud<double> cloud, string name)
    {
        if (cloud.HasWeights)
        {
            RequireUniform(cloud.Weights, name);
        }
    }

    private static void RequireUniform(ReadOnlySpan<double> w, string name)
    {
        for (var i = 1; i < w.Length; i++)
        {
            if (w[i] != w[0])
            {
                throw new InputValidationException(
                    InputProblem.InvalidParameter,
                    $"Hierarchical Refinement needs uniform weights, but {name} weight {i} ({w[i]}) differs from weight 0 ({w[0]}); use a coupling solver for weighted sets.",
                    name,
                    i);
            }
        }
    }

    private static InputValidationException Invalid(string message, string parameter, long? index = null) =>
        new(InputProblem.InvalidParameter, message, parameter, index);

    private static void Require(bool condition, string message, string parameter)
    {
        if (!condition)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, message, parameter);
        }
    }

    /// <summary>(1/n) Σ_p c(x[idxX[p]], y[idxY[p]]).</summary>
    internal static double MatchingCost(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> idxX, ReadOnlySpan<int> idxY, ICostFunction<double>? cost)
    {
        var total = 0.0;
        for (var p = 0; p < idxX.Length; p++)
        {
            total += BlockFactors.PairCost(x.Slice(idxX[p] * d, d), y.Slice(idxY[p] * d, d), cost);
        }

        return total / idxX.Length;
    }

    /// <summary><see cref="MatchingCost"/> over coordinates kept by position (row p of <paramref name="rowsX"/> is
    /// x[idxX[p]], of <paramref name="rowsY"/> y[idxY[p]]): the same sum in the same order, the same bits.</summary>
    internal static double MatchingCostRows(ReadOnlySpan<double> rowsX, ReadOnlySpan<double> rowsY, int d, int n, ICostFunction<double>? cost)
    {
        var total = 0.0;
        for (var p = 0; p < n; p++)
        {
            total += BlockFactors.PairCost(rowsX.Slice(p * d, d), rowsY.Slice(p * d, d), cost);
        }

        return total / n;
    }

    // The blocks' sums are independent: computed in parallel (at 10⁷ points a level's pass gathers 2·10⁷ scattered rows
    // twice), then added in block order, so the total is the same bits as a serial pass whatever the thread count.
    private double BlockCost(ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int d, int[] idxX, int[] idxY, List<HiRefBlock> blocks, int n)
    {
        var sums = new double[blocks.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism };
        var cost = Cost;
        Parallel.For(0, blocks.Count, options, b => sums[b] = BlockSum(x.Span, y.Span, d, idxX, idxY, blocks[b].XStart, blocks[b].Size, cost));
        var total = 0.0;
        foreach (var sum in sums)
        {
            total += sum;
        }

        return total / n;
    }

    // m times the mean cost of the block's uniform coupling (exact for squared Euclidean, sampled on 32 × 32 pairs otherwise).
    private static double BlockSum(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, int[] idxX, int[] idxY, int start, int m, ICostFunction<double>? cost)
    {
        if (CostFunction.IsSquaredEuclidean(cost))
        {
            // (1/m²) Σᵢⱼ ‖xᵢ − yⱼ‖² = var X + var Y + ‖x̄ − ȳ‖² (variances as mean squared distance to the mean).
            Span<double> mx = d <= 256 ? stackalloc double[d] : new double[d];
            Span<double> my = d <= 256 ? stackalloc double[d] : new double[d];
            mx.Clear();
            my.Clear();
            for (var t = 0; t < m; t++)
            {
                var xr = x.Slice(idxX[start + t] * d, d);
                var yr = y.Slice(idxY[start + t] * d, d);
                for (var j = 0; j < d; j++)
                {
                    mx[j] += xr[j];
                    my[j] += yr[j];
                }
            }

            for (var j = 0; j < d; j++)
            {
                mx[j] /= m;
                my[j] /= m;
            }

            var sum = m * BlockFactors.SquaredDistance(mx, my);
            for (var t = 0; t < m; t++)
            {
                sum += BlockFactors.SquaredDistance(x.Slice(idxX[start + t] * d, d), mx);
                sum += BlockFactors.SquaredDistance(y.Slice(idxY[start + t] * d, d), my);
            }

            return sum;
        }

        var a = Math.Min(m, 32);
        var sampled = 0.0;
        for (var s = 0; s < a; s++)
        {
            var xr = x.Slice(idxX[start + (int)((long)s * m / a)] * d, d);
            for (var t = 0; t < a; t++)
            {
                sampled += BlockFactors.PairCost(xr, y.Slice(idxY[start + (int)((long)t * m / a)] * d, d), cost);
            }
        }

        return m * sampled / ((double)a * a);
    }
}
