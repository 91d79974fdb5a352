using System.Collections.Concurrent;
using System.Diagnostics;
using Monge.Geometry;
using Monge.Geometry.Costs;
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
/// doubles for the largest block it splits, plus L² doubles for a leaf — nothing n².</para>
/// <para>Deterministic for a given <see cref="Seed"/>: every block's random start is seeded from (seed, level, block)
/// and every reduction runs in a fixed order, so the result does not depend on the number of threads.</para>
/// </remarks>
public sealed record HierarchicalRefinement
{
    /// <summary>
    /// The ground cost (null, the default: squared Euclidean). Any <see cref="ICostFunction{T}"/>: squared Euclidean
    /// and dot split blocks on exact factors, every other cost on the sampled factors of <see cref="CostFactorization"/>
    /// (<see cref="Landmarks"/>); leaves and the reported cost always use the exact cost.
    /// </summary>
    public ICostFunction<double>? Cost { get; init; }

    /// <summary>Largest leaf solved exactly (default 256; memory L² doubles per worker, time O(L³) worst case per leaf).</summary>
    public int LeafSize { get; init; } = 256;

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

    /// <summary>Mirror-descent iterations per block (default 30).</summary>
    public int Iterations { get; init; } = 30;

    /// <summary>Largest number of Sinkhorn sweeps per projection (default 20).</summary>
    public int InnerIterations { get; init; } = 20;

    /// <summary>A projection stops when its L1 column-marginal error is below this (default 1e-4).</summary>
    public double InnerTolerance { get; init; } = 1e-4;

    /// <summary>Rank of the sampled factors for costs other than squared Euclidean and dot (default 32).</summary>
    public int Landmarks { get; init; } = 32;

    /// <summary>Balanced Lloyd steps after k-means++ seeding of each block's start (default 2); −1 starts from the
    /// reference's random kernel instead.</summary>
    public int SeedingSteps { get; init; } = 2;

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
    /// many leaves, which no leaf pair can; see docs/hiref.md for what it gains and costs.</summary>
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

    /// <summary>Largest number of threads (default −1: all cores).</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Matches <paramref name="source"/> to <paramref name="target"/>.</summary>
    /// <param name="source">n source points (uniform weights).</param>
    /// <param name="target">n target points of the same dimension (uniform weights).</param>
    /// <param name="progress">Receives one report per level ("level t", blocks done, blocks in the level), then "leaves".</param>
    /// <param name="cancellationToken">Checked between blocks and between mirror-descent iterations.</param>
    /// <returns>The permutation, its cost and per-level diagnostics.</returns>
    /// <exception cref="InputValidationException">Different sizes (use an entropic or exact solver for unequal sets),
    /// different dimensions, non-uniform weights, or invalid options.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public HierarchicalRefinementResult Solve(PointCloud<double> source, PointCloud<double> target, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var schedule = Validate(source, target);
        var clock = Stopwatch.StartNew();
        var n = source.Count;
        var d = source.Dimension;
        var x = source.Memory;
        var y = target.Memory;
        var idxX = new int[n];
        var idxY = new int[n];
        for (var i = 0; i < n; i++)
        {
            idxX[i] = i;
            idxY[i] = i;
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        var workers = MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism : Environment.ProcessorCount;
        var settings = new CoClusteringSettings(Gamma, Iterations, InnerIterations, InnerTolerance, 1.0);
        var baseBytes = 2L * n * sizeof(int);
        var peak = baseBytes;
        var levels = new List<HierarchicalRefinementLevel>();
        var blocks = new List<(int Start, int Size)> { (0, n) };

        for (var level = 0; level < schedule.Length; level++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var r = schedule[level];
            var split = new List<int>();
            var largest = 0;
            for (var b = 0; b < blocks.Count; b++)
            {
                largest = Math.Max(largest, blocks[b].Size);
                if (blocks[b].Size > LeafSize)
                {
                    split.Add(b);
                }
            }

            if (split.Count == 0)
            {
                break;
            }

            var levelClock = Stopwatch.StartNew();
            var pool = new ConcurrentBag<CoClusteringWorkspace>();
            var created = new ConcurrentBag<CoClusteringWorkspace>();
            var blockParallel = split.Count >= 2 * workers;
            var inner = blockParallel ? null : parallel;
            var done = 0;
            var currentBlocks = blocks;
            var levelIndex = level;
            void SplitOne(int s)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!pool.TryTake(out var ws))
                {
                    ws = new CoClusteringWorkspace();
                    created.Add(ws);
                }

                var (start, size) = currentBlocks[split[s]];
                var rank = Math.Min(r, size);
                SplitBlock(ws, x.Span, y.Span, d, idxX.AsSpan(start, size), idxY.AsSpan(start, size), rank, settings, BlockSeed(Seed, levelIndex, split[s]), inner, cancellationToken);
                pool.Add(ws);
                var completed = Interlocked.Increment(ref done);
                progress?.Report(new SolverProgress($"level {levelIndex + 1}", completed, split.Count, double.NaN));
            }

            if (blockParallel)
            {
                Parallel.For(0, split.Count, parallel, SplitOne);
            }
            else
            {
                for (var s = 0; s < split.Count; s++)
                {
                    SplitOne(s);
                }
            }

            peak = Math.Max(peak, baseBytes + created.Sum(w => w.Bytes));
            var next = new List<(int Start, int Size)>(blocks.Count * r);
            var sizes = new int[r];
            foreach (var (start, size) in blocks)
            {
                if (size <= LeafSize)
                {
                    next.Add((start, size));
                    continue;
                }

                var rank = Math.Min(r, size);
                CapacitySplit.ChildSizes(size, rank, sizes);
                var offset = start;
                for (var z = 0; z < rank; z++)
                {
                    next.Add((offset, sizes[z]));
                    offset += sizes[z];
                }
            }

            blocks = next;
            var levelSeconds = levelClock.Elapsed.TotalSeconds;
            levels.Add(new HierarchicalRefinementLevel(r, split.Count, largest, levelSeconds, BlockCost(x.Span, y.Span, d, idxX, idxY, blocks, n)));
        }

        // Leaves: exact assignment on each block's dense cost; idxY is reordered so that position p pairs idxX[p] with idxY[p].
        cancellationToken.ThrowIfCancellationRequested();
        var leafClock = Stopwatch.StartNew();
        var largestLeaf = blocks.Max(b => b.Size);
        var leafBytes = SolveRanges(blocks.Select(b => (b.Start, b.Size, 0, 0)).ToList(), x, y, d, idxX, idxY, parallel, progress, "leaves", cancellationToken);
        peak = Math.Max(peak, baseBytes + leafBytes);
        var leafSeconds = leafClock.Elapsed.TotalSeconds;
        var costBeforePolish = MatchingCost(x.Span, y.Span, d, idxX, idxY);
        var cost = costBeforePolish;
        var polishSeconds = 0.0;
        var polishRounds = 0;
        if (Polish && n <= PolishMaxPoints && blocks.Count > 1)
        {
            var polishClock = Stopwatch.StartNew();
            var used = new HashSet<long>();
            for (var round = 0; round < PolishRounds; round++)
            {
                var pairs = PairNeighbouringLeaves(x.Span, y.Span, d, idxX, idxY, blocks, used);
                if (pairs.Count == 0)
                {
                    break;
                }

                var bytes = SolveRanges(pairs, x, y, d, idxX, idxY, parallel, progress, $"polish {round + 1}", cancellationToken);
                peak = Math.Max(peak, baseBytes + bytes);
                var previous = cost;
                cost = MatchingCost(x.Span, y.Span, d, idxX, idxY);
                polishRounds++;
                if (previous - cost <= PolishTolerance * previous)
                {
                    break;
                }
            }

            if (NeighbourhoodCandidates > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var pass = 0; pass < NeighbourhoodPasses; pass++)
                {
                    var previous = cost;
                    cost = NeighbourhoodPolish.Run(x, y, d, idxX, idxY, blocks, Cost, NeighbourhoodCandidates, NeighbourhoodLeaves, cost, parallel, cancellationToken);
                    if (previous - cost <= PolishTolerance * previous)
                    {
                        break;
                    }
                }
            }

            if (SlabRounds > 0 && n <= SlabMaxPoints)
            {
                cost = SlabPolish(x, y, d, idxX, idxY, cost, parallel, progress, ref peak, baseBytes, cancellationToken);
            }

            polishSeconds = polishClock.Elapsed.TotalSeconds;
        }

        var permutation = new int[n];
        for (var p = 0; p < n; p++)
        {
            permutation[idxX[p]] = idxY[p];
        }

        return new HierarchicalRefinementResult(permutation, cost, schedule, levels, largestLeaf, leafSeconds, costBeforePolish, polishSeconds, polishRounds, peak, clock.Elapsed);
    }

    /// <summary>The schedule <see cref="Solve"/> would use for n points.</summary>
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
        if (source.Count != target.Count)
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"Hierarchical Refinement matches equal-size sets one to one, but the source has {source.Count} points and the target {target.Count}; "
                + "for sets of different sizes compute a coupling instead (Sinkhorn, low-rank or exact OT; 'monge solve' on the command line).",
                nameof(target));
        }

        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"Source points have dimension {source.Dimension} but target points have dimension {target.Dimension}.",
                nameof(target));
        }

        RequireUniform(source, nameof(source));
        RequireUniform(target, nameof(target));
        Require(LeafSize >= 1, $"LeafSize must be at least 1 (got {LeafSize}).", nameof(LeafSize));
        Require(LeafSize <= 8192, $"LeafSize must be at most 8192 (got {LeafSize}); a leaf needs LeafSize² doubles per worker.", nameof(LeafSize));
        Require(MaxRank >= 2, $"MaxRank must be at least 2 (got {MaxRank}).", nameof(MaxRank));
        Require(MaxDepth >= 1, $"MaxDepth must be at least 1 (got {MaxDepth}).", nameof(MaxDepth));
        Require(Gamma > 0 && double.IsFinite(Gamma), $"Gamma must be positive and finite (got {Gamma}).", nameof(Gamma));
        Require(Iterations >= 0, $"Iterations must be non-negative (got {Iterations}).", nameof(Iterations));
        Require(InnerIterations >= 1, $"InnerIterations must be at least 1 (got {InnerIterations}).", nameof(InnerIterations));
        Require(InnerTolerance >= 0 && !double.IsNaN(InnerTolerance), $"InnerTolerance must be non-negative (got {InnerTolerance}).", nameof(InnerTolerance));
        Require(SeedingSteps >= -1, $"SeedingSteps must be −1 or more (got {SeedingSteps}).", nameof(SeedingSteps));
        Require(PolishTolerance >= 0 && !double.IsNaN(PolishTolerance), $"PolishTolerance must be non-negative (got {PolishTolerance}).", nameof(PolishTolerance));
        Require(NeighbourhoodCandidates >= 0, $"NeighbourhoodCandidates must be non-negative (got {NeighbourhoodCandidates}).", nameof(NeighbourhoodCandidates));
        Require(SlabMaxPoints >= 0, $"SlabMaxPoints must be non-negative (got {SlabMaxPoints}).", nameof(SlabMaxPoints));
        Require(SlabRounds >= 0, $"SlabRounds must be non-negative (got {SlabRounds}).", nameof(SlabRounds));
        Require(SlabSize >= 2 && SlabSize <= 8192, $"SlabSize must be in [2, 8192] (got {SlabSize}).", nameof(SlabSize));
        Require(NeighbourhoodPasses >= 0, $"NeighbourhoodPasses must be non-negative (got {NeighbourhoodPasses}).", nameof(NeighbourhoodPasses));
        Require(NeighbourhoodLeaves >= 1, $"NeighbourhoodLeaves must be at least 1 (got {NeighbourhoodLeaves}).", nameof(NeighbourhoodLeaves));
        Require(PolishRounds >= 0, $"PolishRounds must be non-negative (got {PolishRounds}).", nameof(PolishRounds));
        Require(Landmarks >= 1, $"Landmarks must be at least 1 (got {Landmarks}).", nameof(Landmarks));
        Require(MaxDegreeOfParallelism is -1 or >= 1, $"MaxDegreeOfParallelism must be -1 or positive (got {MaxDegreeOfParallelism}).", nameof(MaxDegreeOfParallelism));
        return ScheduleFor(source.Count);
    }

    private static void RequireUniform(PointCloud<double> cloud, string name)
    {
        if (!cloud.HasWeights)
        {
            return;
        }

        var w = cloud.Weights;
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

    // SplitMix64 of (seed, level, block): independent, reproducible streams per block.
    private static ulong BlockSeed(int seed, int level, int block)
    {
        var z = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)level << 40) ^ (ulong)(uint)block;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private void SplitBlock(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, Span<int> ix, Span<int> iy, int r, in CoClusteringSettings settings, ulong seed, ParallelOptions? inner, CancellationToken cancellationToken)
    {
        var m = ix.Length;
        var rng = new Random((int)((seed >> 32) & 0x7FFFFFFF));
        var k = BlockFactors.Gather(ws, x, y, d, ix, iy, Cost, Landmarks, rng);
        var seeded = SeedingSteps >= 0;
        if (seeded)
        {
            BalancedSeeding.Initialize(ws, x, y, d, ix, iy, r, Gamma, SeedingSteps, rng);
        }

        CoClustering.Run(ws, m, k, r, settings, seed, seeded, inner, cancellationToken);
        ws.EnsureSplit(m);
        Span<int> capacities = r <= 1024 ? stackalloc int[r] : new int[r];
        CapacitySplit.ChildSizes(m, r, capacities);
        var labels = ws.Labels.AsSpan(0, m);
        CapacitySplit.MarginGreedy(ws.LogQ, m, r, capacities, labels, ws.Margin, ws.Order);
        CapacitySplit.GroupByLabel(ix, labels, capacities, ws.IndexBuffer);
        CapacitySplit.MarginGreedy(ws.LogR, m, r, capacities, labels, ws.Margin, ws.Order);
        CapacitySplit.GroupByLabel(iy, labels, capacities, ws.IndexBuffer);
    }

    // Slab rounds: sort the matched pairs by a random projection of (x, y_σ(x)), reorder both index arrays by it (the
    // pairing is what matters, not the positions; the leaf ranges are not used after this) and re-solve consecutive
    // slabs exactly. Directions come from SplitMix64(seed, round), so the result is deterministic.
    private double SlabPolish(ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int d, int[] idxX, int[] idxY, double cost, ParallelOptions parallel, IProgress<SolverProgress>? progress, ref long peak, long baseBytes, CancellationToken cancellationToken)
    {
        var n = idxX.Length;
        var keys = new double[n];
        var order = new int[n];
        var bufferX = new int[n];
        var bufferY = new int[n];
        var direction = new double[2 * d];
        var slabs = new List<(int StartA, int SizeA, int StartB, int SizeB)>();
        var count = (n + SlabSize - 1) / SlabSize;
        for (var b = 0; b < count; b++)
        {
            var start = (int)((long)n * b / count);
            slabs.Add((start, (int)((long)n * (b + 1) / count) - start, 0, 0));
        }

        // With one slab (n ≤ SlabSize) a single round is the exact solve of the whole problem.
        var rounds = count == 1 ? 1 : SlabRounds;
        for (var round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rng = new Random((int)(BlockSeed(Seed, 1000 + round, 0) & 0x7FFFFFFF));
            for (var k = 0; k < direction.Length; k++)
            {
                direction[k] = (2 * rng.NextDouble()) - 1;
            }

            var xs = x.Span;
            var ys = y.Span;
            for (var p = 0; p < n; p++)
            {
                var xr = xs.Slice(idxX[p] * d, d);
                var yr = ys.Slice(idxY[p] * d, d);
                double key = 0;
                for (var k = 0; k < d; k++)
                {
                    key += (direction[k] * xr[k]) + (direction[d + k] * yr[k]);
                }

                keys[p] = key;
                order[p] = p;
            }

            Array.Sort(keys, order);
            for (var p = 0; p < n; p++)
            {
                bufferX[p] = idxX[order[p]];
                bufferY[p] = idxY[order[p]];
            }

            bufferX.CopyTo(idxX, 0);
            bufferY.CopyTo(idxY, 0);
            var bytes = SolveRanges(slabs, x, y, d, idxX, idxY, parallel, progress, $"slab {round + 1}", cancellationToken);
            peak = Math.Max(peak, baseBytes + bytes + (4L * n * sizeof(int)) + (n * sizeof(double)));
            cost = MatchingCost(xs, ys, d, idxX, idxY);
        }

        return cost;
    }

    // Pairs of leaves for one polish round: candidate pairs are each leaf's nearest leaves by the distance between
    // their (source centroid, target centroid) descriptors; a greedy matching in order of distance takes disjoint pairs
    // not used in earlier rounds. O(B²·d) for B leaves (B ≤ PolishMaxPoints / 2).
    private static List<(int StartA, int SizeA, int StartB, int SizeB)> PairNeighbouringLeaves(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, int[] idxX, int[] idxY, List<(int Start, int Size)> blocks, HashSet<long> used)
    {
        var count = blocks.Count;
        var centres = new double[count * 2 * d];
        for (var b = 0; b < count; b++)
        {
            var (start, m) = blocks[b];
            var c = centres.AsSpan(b * 2 * d, 2 * d);
            for (var t = start; t < start + m; t++)
            {
                var xr = x.Slice(idxX[t] * d, d);
                var yr = y.Slice(idxY[t] * d, d);
                for (var j = 0; j < d; j++)
                {
                    c[j] += xr[j];
                    c[d + j] += yr[j];
                }
            }

            for (var j = 0; j < 2 * d; j++)
            {
                c[j] /= Math.Max(m, 1);
            }
        }

        const int neighbours = 8;
        var edges = new List<(double Distance, int A, int B)>();
        var candidates = new (double Distance, int B)[count];
        for (var a = 0; a < count; a++)
        {
            var ca = centres.AsSpan(a * 2 * d, 2 * d);
            var found = 0;
            for (var b = 0; b < count; b++)
            {
                if (b != a && !used.Contains(PairKey(a, b, count)))
                {
                    candidates[found++] = (BlockFactors.SquaredDistance(ca, centres.AsSpan(b * 2 * d, 2 * d)), b);
                }
            }

            Array.Sort(candidates, 0, found);
            for (var t = 0; t < Math.Min(neighbours, found); t++)
            {
                var b = candidates[t].B;
                edges.Add((candidates[t].Distance, Math.Min(a, b), Math.Max(a, b)));
            }
        }

        edges.Sort();
        var taken = new bool[count];
        var pairs = new List<(int StartA, int SizeA, int StartB, int SizeB)>();
        foreach (var (_, a, b) in edges)
        {
            if (taken[a] || taken[b])
            {
                continue;
            }

            taken[a] = true;
            taken[b] = true;
            used.Add(PairKey(a, b, count));
            pairs.Add((blocks[a].Start, blocks[a].Size, blocks[b].Start, blocks[b].Size));
        }

        return pairs;
    }

    private static long PairKey(int a, int b, int count) => ((long)Math.Min(a, b) * count) + Math.Max(a, b);

    // Solves every group (one range, or the union of two) exactly (dense cost + assignment) and reorders idxY within it;
    // returns the scratch bytes used.
    private long SolveRanges(List<(int StartA, int SizeA, int StartB, int SizeB)> ranges, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int d, int[] idxX, int[] idxY, ParallelOptions parallel, IProgress<SolverProgress>? progress, string stage, CancellationToken cancellationToken)
    {
        var pool = new ConcurrentBag<CoClusteringWorkspace>();
        var created = new ConcurrentBag<CoClusteringWorkspace>();
        var done = 0;
        var reportEvery = Math.Max(1, ranges.Count / 100);
        var cost = Cost;
        Parallel.For(0, ranges.Count, parallel, b =>
        {
            if (!pool.TryTake(out var ws))
            {
                ws = new CoClusteringWorkspace();
                created.Add(ws);
            }

            var (startA, sizeA, startB, sizeB) = ranges[b];
            var m = sizeA + sizeB;
            if (m > 1)
            {
                ws.EnsureLeaf(m);
                var positions = ws.Positions.AsSpan(0, m);
                for (var i = 0; i < sizeA; i++)
                {
                    positions[i] = startA + i;
                }

                for (var i = 0; i < sizeB; i++)
                {
                    positions[sizeA + i] = startB + i;
                }

                var xs = x.Span;
                var ys = y.Span;
                var c = ws.Cost.AsSpan(0, m * m);
                for (var i = 0; i < m; i++)
                {
                    var xr = xs.Slice(idxX[positions[i]] * d, d);
                    var row = c.Slice(i * m, m);
                    for (var j = 0; j < m; j++)
                    {
                        row[j] = BlockFactors.PairCost(xr, ys.Slice(idxY[positions[j]] * d, d), cost);
                    }
                }

                var assignment = ws.Assignment.AsSpan(0, m);
                LinearAssignment.SolveInto<double>(c, m, m, assignment, [], [], ws.Leaf);
                var buffer = ws.IndexBuffer.AsSpan(0, m);
                for (var i = 0; i < m; i++)
                {
                    buffer[i] = idxY[positions[assignment[i]]];
                }

                for (var i = 0; i < m; i++)
                {
                    idxY[positions[i]] = buffer[i];
                }
            }

            pool.Add(ws);
            var completed = Interlocked.Increment(ref done);
            if (completed % reportEvery == 0 || completed == ranges.Count)
            {
                progress?.Report(new SolverProgress(stage, completed, ranges.Count, double.NaN));
            }
        });
        return created.Sum(w => w.Bytes);
    }

    private double MatchingCost(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, int[] idxX, int[] idxY) =>
        MatchingCost(x, y, d, idxX, idxY, Cost);

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

    private double BlockCost(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, int[] idxX, int[] idxY, List<(int Start, int Size)> blocks, int n)
    {
        var total = 0.0;
        Span<double> mx = d <= 512 ? stackalloc double[d] : new double[d];
        Span<double> my = d <= 512 ? stackalloc double[d] : new double[d];
        foreach (var (start, m) in blocks)
        {
            if (CostFunction.IsSquaredEuclidean(Cost))
            {
                // (1/m²) Σᵢⱼ ‖xᵢ − yⱼ‖² = var X + var Y + ‖x̄ − ȳ‖² (variances as mean squared distance to the mean).
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

                total += sum;
            }
            else
            {
                var a = Math.Min(m, 32);
                var sum = 0.0;
                for (var s = 0; s < a; s++)
                {
                    var xr = x.Slice(idxX[start + (int)((long)s * m / a)] * d, d);
                    for (var t = 0; t < a; t++)
                    {
                        sum += BlockFactors.PairCost(xr, y.Slice(idxY[start + (int)((long)t * m / a)] * d, d), Cost);
                    }
                }

                total += m * sum / ((double)a * a);
            }
        }

        return total / n;
    }
}
