using System.Diagnostics;
using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Solvers.Hierarchical;

/// <summary>The choice of level 1's rank on a sample (stop 25, issue #14): above <see cref="FirstRankAbove"/> points, in 2-D,
/// with the automatic schedule, each rank of <see cref="FirstRankCandidates"/> is tried as level 1's rank on a seeded
/// stratified sample of <see cref="FirstRankSamplePoints"/> points of each side — the sample solved by the levels and the
/// exact leaves of the schedule <see cref="Hierarchical.RankSchedule.WithFirst"/> gives for that rank, then at most
/// <see cref="FirstRankSlabRounds"/> small-slab rounds as the whole problem runs them — and the rank whose sample matching
/// is cheapest starts the whole problem's schedule (the rest chosen so that the leaves keep their size), unless it beats
/// the default schedule's own first rank by at most <see cref="FirstRankMargin"/>. Measured in docs/hiref.md ("Stop 25
/// (chkrank)"): checkerboard at 1 048 576 takes rank 4.</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>The ranks tried for level 1 (default 4 and 16; empty turns the choice off; one rank forces it without a
    /// sample). Each must be at least 2; those above <see cref="MaxRank"/> are not tried. Rank 8 was never the sample's clear winner on the six 1M rows
    /// measured and costs a third of the choice, so it is not tried by default.</summary>
    internal int[] FirstRankCandidates { get; init; } = DefaultFirstRankCandidates;

    // One shared default array: the record's equality compares arrays by reference, so two default solvers (and
    // ForQuality's balanced budget against a fresh instance) stay equal.
    private static readonly int[] DefaultFirstRankCandidates = [4, 16];

    /// <summary>The choice runs only for problems of more than this many points (default 262 144: above it neither the
    /// random parts nor the 512-pair slab rounds repair a poor level-1 partition) and only with the automatic schedule
    /// (<see cref="RankSchedule"/> null).</summary>
    internal int FirstRankAbove { get; init; } = 262144;

    /// <summary>The choice runs only up to this dimension (default 2: measured on the 2-D rows only).</summary>
    internal int FirstRankMaxDimension { get; init; } = 2;

    /// <summary>Points of each side in the sample the candidates are scored on (default 16 384; 32 768 until stop 30). Stop 30
    /// (levels), under load at 1 048 576 points: the same rank chosen on the four 2-D pairs × both costs and checkerboard data
    /// seeds 0–2 as with 32 768, for 3.65 instead of 4.89 CPU-s of choice on average (docs/hiref.md "Stop 30 (levels)").</summary>
    internal int FirstRankSamplePoints { get; init; } = 16384;

    /// <summary>Slab rounds of <see cref="HugeSlabSize"/> pairs run on each candidate's sample matching before it is scored
    /// (at most this many, with the <see cref="HugeSlabTolerance"/> stop of the whole problem's rounds; default 8, as the
    /// whole problem's; 0 scores the levels and leaves alone, which ranks rank 4 first on 8 Gaussians → moons, where it
    /// is the worst at 1 048 576).</summary>
    internal int FirstRankSlabRounds { get; init; } = 8;

    /// <summary>For the Euclidean cost, solve and score each candidate's sample with the squared Euclidean cost (default
    /// true; false: with the Euclidean cost and its own Nyström factors). The Euclidean sample costs barely separate the
    /// candidates (checkerboard at 1 048 576: rank 4 by 0.18%, under <see cref="FirstRankMargin"/>, though [4, 8, 8, 16] is
    /// 0.38% above the bound against 2.79% for [16, 16, 16]); the squared cost, which weighs the long moves of a poor
    /// partition more, separates them as for the squared problem (docs/hiref.md, "Stop 26 (chkeuc)"). Other costs are
    /// scored with their own.</summary>
    internal bool FirstRankSquaredScore { get; init; } = true;

    /// <summary>A candidate replaces the automatic schedule's own first rank (when that rank is a candidate) only if its
    /// sample cost is lower by more than this fraction (default 0.005): where the candidates tie on the sample (half-moon →
    /// S-curve and MAF moons → rings at 1 048 576, within 0.1%) the problem keeps the default schedule.</summary>
    internal double FirstRankMargin { get; init; } = 0.005;

    /// <summary>Whether the candidates' sample solves run side by side, each on its share of
    /// <see cref="MaxDegreeOfParallelism"/> (default true; with one worker, or false, one after another, each on all the
    /// workers). The same choice either way (stop 26, spd1m).</summary>
    internal bool FirstRankParallel { get; init; } = true;

    /// <summary>Whether an <paramref name="n"/>-point, <paramref name="d"/>-dimensional problem chooses level 1's rank.</summary>
    internal bool UsesFirstRankChoice(int n, int d) =>
        RankSchedule is null && FirstRankCandidates.Length > 0 && n > FirstRankAbove && d <= FirstRankMaxDimension;

    private void ValidateFirstRank()
    {
        Require(FirstRankCandidates is not null, "FirstRankCandidates must not be null.", nameof(FirstRankCandidates));
        foreach (var r in FirstRankCandidates!)
        {
            Require(r >= 2, $"FirstRankCandidates holds {r}; each must be at least 2.", nameof(FirstRankCandidates));
        }

        Require(FirstRankAbove >= 0, $"FirstRankAbove must be non-negative (got {FirstRankAbove}).", nameof(FirstRankAbove));
        Require(FirstRankMaxDimension >= 1, $"FirstRankMaxDimension must be at least 1 (got {FirstRankMaxDimension}).", nameof(FirstRankMaxDimension));
        Require(FirstRankSlabRounds >= 0, $"FirstRankSlabRounds must be non-negative (got {FirstRankSlabRounds}).", nameof(FirstRankSlabRounds));
        Require(FirstRankMargin >= 0 && FirstRankMargin < 1, $"FirstRankMargin must be in [0, 1) (got {FirstRankMargin}).", nameof(FirstRankMargin));
        Require(FirstRankSamplePoints >= 2, $"FirstRankSamplePoints must be at least 2 (got {FirstRankSamplePoints}).", nameof(FirstRankSamplePoints));
    }

    /// <summary>The schedule of the solve: <paramref name="schedule"/> (from <see cref="ScheduleFor"/>) unless the problem
    /// chooses level 1's rank (<see cref="UsesFirstRankChoice"/>), then the chosen rank's schedule. Deterministic: the
    /// sample is drawn from SplitMix64(seed, 4000, 0) and every candidate is a seeded solve.</summary>
    private (int[] Schedule, HiRefFirstRankReport? Report) ChooseSchedule(PointCloud<double> source, PointCloud<double> target, int[] schedule, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        var n = source.Count;
        var d = source.Dimension;
        if (!UsesFirstRankChoice(n, d))
        {
            return (schedule, null);
        }

        // Candidates above MaxRank (the automatic schedule's bound) are not tried; with fewer than two left of several, or
        // none, the schedule stays ForSize's.
        var candidates = Array.FindAll(FirstRankCandidates, r => r <= MaxRank);
        if (candidates.Length == 0 || (candidates.Length == 1 && FirstRankCandidates.Length > 1))
        {
            return (schedule, null);
        }

        var clock = Stopwatch.StartNew();
        if (candidates.Length == 1)
        {
            var forced = Hierarchical.RankSchedule.WithFirst(n, LeafSize, candidates[0], MaxRank, MaxDepth);
            return (forced, new HiRefFirstRankReport(candidates[0], [], 0, clock.Elapsed.TotalSeconds));
        }

        var s = Math.Min(FirstRankSamplePoints, n);
        var (sx, sy) = FirstRankSample(source, target, s);

        // The sample's solve: the levels and exact leaves (no parts, no leaf pairs, no global step), split as the whole
        // problem's blocks are (single precision and the stall stop of this n), the candidate's rank first; then at most
        // FirstRankSlabRounds rounds of the whole problem's small slabs.
        var probe = SplitOptionsFor(n) with
        {
            Cost = FirstRankSquaredScore && Cost is Euclidean<double> ? null : Cost,
            Polish = FirstRankSlabRounds > 0,
            PolishMaxPoints = 0,
            SlabMaxPoints = 0,
            LargeSlabMaxPoints = 0,
            HugeSlabRounds = FirstRankSlabRounds,
            NeighbourhoodCandidates = 0,
            GlobalPasses = 0,
            RandomPartsSize = 0,
            FirstRankCandidates = [],
        };
        // With several workers the candidates run side by side, each on its share of the workers (one each on two
        // cores): the sample's small blocks then run without the inner loops' synchronisation. Each candidate's cost is
        // the same at any thread count, so the choice is too.
        var workers = MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism : Environment.ProcessorCount;
        var side = FirstRankParallel && workers >= 2 ? Math.Min(workers, candidates.Length) : 1;
        var costs = new double[candidates.Length];
        void Score(int c)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new SolverProgress("first rank", c, candidates.Length, double.NaN));
            var sampleSchedule = Hierarchical.RankSchedule.WithFirst(s, LeafSize, candidates[c], MaxRank, MaxDepth);
            var threads = side > 1 ? Math.Max(1, workers / side) : MaxDegreeOfParallelism;
            costs[c] = (probe with { RankSchedule = sampleSchedule, MaxDegreeOfParallelism = threads }).Solve(sx, sy, null, cancellationToken).Cost;
        }

        if (side > 1)
        {
            Parallel.For(0, candidates.Length, new ParallelOptions { MaxDegreeOfParallelism = side, CancellationToken = cancellationToken }, Score);
        }
        else
        {
            for (var c = 0; c < candidates.Length; c++)
            {
                Score(c);
            }
        }

        var best = 0;
        for (var c = 1; c < candidates.Length; c++)
        {
            if (costs[c] < costs[best])
            {
                best = c;
            }
        }

        // The default's own first rank keeps its schedule unless another candidate is clearly cheaper on the sample.
        var own = Array.IndexOf(candidates, schedule.Length > 0 ? schedule[0] : 0);
        if (own >= 0 && costs[best] >= (1.0 - FirstRankMargin) * costs[own])
        {
            best = own;
        }

        var chosen = best == own ? schedule : Hierarchical.RankSchedule.WithFirst(n, LeafSize, candidates[best], MaxRank, MaxDepth);
        var scores = new (int Rank, double SampleCost)[candidates.Length];
        for (var c = 0; c < candidates.Length; c++)
        {
            scores[c] = (candidates[c], costs[c]);
        }

        return (chosen, new HiRefFirstRankReport(candidates[best], scores, s, clock.Elapsed.TotalSeconds));
    }

    /// <summary>The choice alone, without the solve (the harness's <c>firstrankonly=1</c>): its report, or null when the
    /// problem does not choose.</summary>
    internal HiRefFirstRankReport? ChooseFirstRank(PointCloud<double> source, PointCloud<double> target, CancellationToken cancellationToken = default) =>
        ChooseSchedule(source, target, Validate(source, target), null, cancellationToken).Report;

    // One point from each of s equal runs of each cloud's index order (as the sampled start draws), from
    // SplitMix64(seed, 4000, 0): the same sample for every candidate and every thread count.
    private (PointCloud<double> X, PointCloud<double> Y) FirstRankSample(PointCloud<double> source, PointCloud<double> target, int s)
    {
        var n = source.Count;
        var d = source.Dimension;
        var rng = new Random(unchecked((int)HiRefBlockSplitter.BlockSeed(Seed, 4000, 0)));
        var x = source.Memory.Span;
        var y = target.Memory.Span;
        var sx = new double[(long)s * d];
        var sy = new double[(long)s * d];
        for (var i = 0; i < s; i++)
        {
            var lo = (int)((long)n * i / s);
            var hi = (int)((long)n * (i + 1) / s);
            var px = lo + rng.Next(hi - lo);
            var py = lo + rng.Next(hi - lo);
            x.Slice(px * d, d).CopyTo(sx.AsSpan(i * d, d));
            y.Slice(py * d, d).CopyTo(sy.AsSpan(i * d, d));
        }

        return (new PointCloud<double>(sx, s, d), new PointCloud<double>(sy, s, d));
    }
}

/// <summary>The choice of level 1's rank (<see cref="HierarchicalRefinement"/>, stop 25): the rank chosen, each candidate's
/// cost on the sample (empty when one rank was forced), the sample's points per side and the seconds the choice took.</summary>
internal sealed record HiRefFirstRankReport(int Rank, IReadOnlyList<(int Rank, double SampleCost)> Scores, int SamplePoints, double Seconds)
{
    /// <summary>"rank (4:cost 8:cost 16:cost, s points, seconds)".</summary>
    public override string ToString() =>
        $"{Rank} ({string.Join(' ', Scores.Select(t => $"{t.Rank}:{t.SampleCost:F6}"))}; sample {SamplePoints}; {Seconds:F2}s)";
}
