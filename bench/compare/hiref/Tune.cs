using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.Numerics;
using Monge.Solvers;
using Monge.Solvers.Hierarchical;
using Monge.Tools;

/// <summary>
/// The tune mode: one case with any HiRef options as key=value pairs, the time of every stage, and the gap to a given
/// lower bound or optimum: -- tune DATASET D COST N [key=value ...] [lb=BOUND] [seeds=0,1].
/// Keys: leaf, leafmixed (ExactMixedPrecisionMinSize: the smallest leaf, leaf pair or slab solved by the float32 route with a double repair), leafwarm (ExactWarmStart: 0 or 1), slabwarm (SlabWarmMaxSize: slabs of at most this many pairs start from the current pairing; 0: cold), slabrows (SlabRowsMaxPoints: slab rounds on at most this many pairs keep the coordinates by position; 0: off), leafwarmmin (ExactWarmStartMinSize: the smallest group or warm-start sub-problem that gets the multiscale warm start), leafwarmfirst (ExactWarmStartFirst: 0 or 1, the leaves straight to the warm start), leafwarmarr (ExactWarmStartReductionPasses: row reduction passes after the leaves' warm start, 0–2), schedule (r1,r2,...), firstrank (auto: level 1's rank chosen among 4 and 16 on a sample, the default; off; r or r1,r2,...: the candidates), firstrankabove, firstrankdim, firstranksample, firstrankslabs (slab rounds on each candidate's sample matching), firstrankmargin, firstrankpar (0: the candidates one after another, each on all workers; 1: side by side, the default), firstrankonly=1 (the choice alone, no solve), partsize (RandomPartsSize, 0: off), partsmin, partsmax, partsdim (RandomPartsMaxDimension), partslp (RandomPartsLeafPairs: 0 or 1), iter, polish (rounds), polishmax, slabs, slabmax, slabsize, large, largesize, largemax, largetol, largepatience (LargeSlabPatience), huge, hugesize, hugetol, eucltol (EuclideanHugeSlabToleranceScale),
/// neighbours, global (GlobalPasses), globalmax (GlobalMaxPoints), groups (GlobalGroupPoints), grounds (GlobalGroupRounds), gmaxdim (GlobalGroupMaxDimension), globalk, gexact (GlobalExact), gexactballs (GlobalExactBalls), gscreen (GlobalExactScreen), globalmin, probes, seed, threads, single (SinglePrecisionMinBlock), singlepoints (SinglePrecisionMinPoints), stall (SinglePrecisionStallTolerance), stalllarge (SinglePrecisionLargeStallTolerance), sweeps (MaxProjectionIterations), warmv (WarmColumnScalings: 0 or 1), lloyd (SeedingSteps), sampled (SampledStartPoints, 0: off), sampledmin (SampledStartMinBlock), sampledsteps (SampledStartSteps), sampledeucl (SampledStartEuclidean: 0 or 1), lvl1sq (LargeBlockSquaredFactors: 0 or 1), sqmin (SquaredFactorsMinBlock: Euclidean blocks of at least this many points co-cluster with the squared factors), lvl1esteps (LargeBlockCostSteps), lvl1k (LargeBlockLandmarks), lvl1iter (LargeBlockMaxIterations), lvl1stall (LargeBlockStallTolerance), gamma (Gamma), ptol (ProjectionTolerance), profile=1 (phase timers per stage on stderr), quality (fast|balanced|best), data (data seed), exact=1 (gap to the exact optimum, small n);
/// firstranksq (FirstRankSquaredScore: 0 scores the Euclidean cost's rank-choice sample with its own cost, 1 with the squared cost, the default); savematch=PATH saves the permutation, slabfrom=PATH runs only the slab rounds (large, largesize, largetol) from it with
/// each round's CPU seconds and gain.
/// certify=1 also computes the <see cref="DualBound"/> certificate (options ballpoints, refine, refinemax, coarse, treemin,
/// tiles=0: float64 cluster searches instead of float32 tiles, orders=1: one order of c-transforms, medium: points of the medium level, cellmax: points over which the level's cell masses are counted, level=0: the first c-transforms from the soft extension to every point instead of the level's own points, certeps: ε, certiter: Sinkhorn budget, treeslack: the Euclidean tree transforms' tolerance relative to the box diagonal, 0: exact; econe=0: the 2-D Euclidean level path without the cone majorants (EuclideanTreeCones, stop 31); sqslack: the squared tree transforms' tolerance relative to the squared diagonal (default 0: exact); sqlevel=0: the squared tree path's first transforms from the soft extensions (before stop 30); sqcurv=1: the squared tree searches' curved node bound; sqmixed=0: both orders of the squared tree path from the coarse level; sqfit=0: the squared tree searches' small nodes (≤ 192 points) take their parent's γ (before stop 31); ascent, ascentrev, ascentpasses, ascentbids, ascentwar, ascentmax (0: off), ascentexits, exitpasses, exitfirstgain, exitdim, ascentskip, ascentreuse (1: on): the sparse dual ascent's AscentCandidates, AscentReverseCandidates, AscentPasses, AscentBids, AscentWarBids, AscentMaxPoints, AscentExitPoints, AscentExitPasses, AscentExitFirstGain, AscentExitMaxDimension, AscentSkipGap (against the HiRef cost), AscentReuseGraph; sparselevel, sparsepasses: SparseLevelSize, SparseLevelPasses)
/// and prints the bound, the certified gap and the certificate's time against the solve's; nosolve=1 skips the solve;
/// slack=1 prints where the gap sits: the slack c(x, σ(x)) − u(x) − v(σ(x)) of every matched pair under the certificate's
/// feasible (u, v), by quantile and by cell of a 4 × 4 grid over the sources and over the targets (with nosolve=1, the
/// matching of matchfrom=PATH, a permutation saved by savematch=).
/// Last line of every run: <c>json: {...}</c>, one machine-readable record of the case (inputs, options, cost, bound, gap,
/// wall and CPU seconds of the solve and the certificate, peak memory) from which the tables of docs/hiref.md are
/// regenerated (bench/quiet/table12.sh); fields that were not computed are null.
/// </summary>
internal static class Tune
{
    public static void Run(string[] args)
    {
        if (!SyntheticData.TryParse(args[1], out var ds))
        {
            throw new ArgumentException($"Unknown dataset {args[1]}.", nameof(args));
        }

        var d = int.Parse(args[2], CultureInfo.InvariantCulture);
        var cost = CostFunction.Parse<double>(args[3]);
        var n = int.Parse(args[4], CultureInfo.InvariantCulture);
        var solver = new HierarchicalRefinement { Cost = cost };
        var bound = double.NaN;
        var dataSeed = 1;
        var certify = new DualBound();
        foreach (var kv in args.Skip(5))
        {
            var (key, value) = (kv[..kv.IndexOf('=')], kv[(kv.IndexOf('=') + 1)..]);
            int I() => int.Parse(value, CultureInfo.InvariantCulture);
            solver = key switch
            {
                "quality" => HierarchicalRefinement.ForQuality(Enum.Parse<HiRefQuality>(value, ignoreCase: true)) with { Cost = cost },
                "leaf" => solver with { LeafSize = I() },
                "leafmixed" => solver with { ExactMixedPrecisionMinSize = I() },
                "leafwarm" => solver with { ExactWarmStart = I() != 0 },
                "slabwarm" => solver with { SlabWarmMaxSize = I() },
                "slabrows" => solver with { SlabRowsMaxPoints = I() },
                "leafwarmmin" => solver with { ExactWarmStartMinSize = I() },
                "leafwarmfirst" => solver with { ExactWarmStartFirst = I() != 0 },
                "leafwarmarr" => solver with { ExactWarmStartReductionPasses = I() },
                "schedule" => solver with { RankSchedule = value.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray() },
                "firstrank" => solver with { FirstRankCandidates = value switch { "auto" => new HierarchicalRefinement().FirstRankCandidates, "off" => [], _ => value.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray() } },
                "firstrankabove" => solver with { FirstRankAbove = I() },
                "firstranksq" => solver with { FirstRankSquaredScore = I() != 0 },
                "firstrankdim" => solver with { FirstRankMaxDimension = I() },
                "firstranksample" => solver with { FirstRankSamplePoints = I() },
                "firstrankslabs" => solver with { FirstRankSlabRounds = I() },
                "firstrankpar" => solver with { FirstRankParallel = I() != 0 },
                "firstrankmargin" => solver with { FirstRankMargin = double.Parse(value, CultureInfo.InvariantCulture) },
                "iter" => solver with { MaxIterations = I() },
                "polish" => solver with { PolishRounds = I() },
                "polishmax" => solver with { PolishMaxPoints = I() },
                "slabs" => solver with { SlabRounds = I() },
                "slabmax" => solver with { SlabMaxPoints = I() },
                "slabsize" => solver with { SlabSize = I() },
                "large" => solver with { LargeSlabRounds = I() },
                "largesize" => solver with { LargeSlabSize = I() },
                "largemax" => solver with { LargeSlabMaxPoints = I() },
                "largetol" => solver with { LargeSlabTolerance = double.Parse(value, CultureInfo.InvariantCulture) },
                "largepatience" => solver with { LargeSlabPatience = I() },
                "partsize" => solver with { RandomPartsSize = I() },
                "partsmin" => solver with { RandomPartsMinPoints = I() },
                "partsmax" => solver with { RandomPartsMaxPoints = I() },
                "partsdim" => solver with { RandomPartsMaxDimension = I() },
                "partslp" => solver with { RandomPartsLeafPairs = I() != 0 },
                "first" => solver with { FirstSlabRounds = I() },
                "firstsize" => solver with { FirstSlabSize = I() },
                "huge" => solver with { HugeSlabRounds = I() },
                "hugesize" => solver with { HugeSlabSize = I() },
                "hugetol" => solver with { HugeSlabTolerance = double.Parse(value, CultureInfo.InvariantCulture) },
                "eucltol" => solver with { EuclideanHugeSlabToleranceScale = double.Parse(value, CultureInfo.InvariantCulture) },
                "neighbours" => solver with { NeighbourhoodCandidates = I() },
                "nbmax" => solver with { NeighbourhoodMaxPoints = I() },
                "nbparts" => solver with { PartsNeighbourhoodCandidates = I() },
                "nbtol" => solver with { PartsNeighbourhoodTolerance = double.Parse(value, CultureInfo.InvariantCulture) },
                "nbpasses" => solver with { NeighbourhoodPasses = I() },
                "global" => solver with { GlobalPasses = I() },
                "globalk" => solver with { GlobalCandidates = I() },
                "globalmin" => solver with { GlobalMinPoints = I() },
                "globalmax" => solver with { GlobalMaxPoints = I() },
                "groups" => solver with { GlobalGroupPoints = I() },
                "grounds" => solver with { GlobalGroupRounds = I() },
                "gmaxdim" => solver with { GlobalGroupMaxDimension = I() },
                "probes" => solver with { GlobalProbes = I() },
                "gmindim" => solver with { GlobalMinDimension = I() },
                "gballs" => solver with { GlobalBallPoints = I() },
                "gcoarse" => solver with { GlobalCoarseSize = I() },
                "gcheck" => solver with { GlobalCheck = I() != 0 },
                "gexact" => solver with { GlobalExact = I() != 0 },
                "gexactballs" => solver with { GlobalExactBalls = I() },
                "gscreen" => solver with { GlobalExactScreen = I() != 0 },
                "gwarmeps" => solver with { GlobalWarmEpsilon = double.Parse(value, CultureInfo.InvariantCulture) },
                "gcoarseeps" => solver with { GlobalCoarseEpsilon = double.Parse(value, CultureInfo.InvariantCulture) },
                "sampled" => solver with { SampledStartPoints = I() },
                "sampledmin" => solver with { SampledStartMinBlock = I() },
                "sampledsteps" => solver with { SampledStartSteps = I() },
                "sampledeucl" => solver with { SampledStartEuclidean = I() != 0 },
                "lvl1sq" => solver with { LargeBlockSquaredFactors = I() != 0 },
                "sqmin" => solver with { SquaredFactorsMinBlock = I() },
                "lvl1esteps" => solver with { LargeBlockCostSteps = I() },
                "lvl1k" => solver with { LargeBlockLandmarks = I() },
                "lvl1iter" => solver with { LargeBlockMaxIterations = I() },
                "lvl1stall" => solver with { LargeBlockStallTolerance = double.Parse(value, CultureInfo.InvariantCulture) },
                "seed" => solver with { Seed = I() },
                "threads" => solver with { MaxDegreeOfParallelism = I() },
                "single" => solver with { SinglePrecisionMinBlock = I() },
                "singlepoints" => solver with { SinglePrecisionMinPoints = I() },
                "sweeps" => solver with { MaxProjectionIterations = I() },
                "warmv" => solver with { WarmColumnScalings = I() != 0 },
                "gamma" => solver with { Gamma = double.Parse(value, CultureInfo.InvariantCulture) },
                "lloyd" => solver with { SeedingSteps = I() },
                "ptol" => solver with { ProjectionTolerance = double.Parse(value, CultureInfo.InvariantCulture) },
                "stall" => solver with { SinglePrecisionStallTolerance = double.Parse(value, CultureInfo.InvariantCulture) },
                "stalllarge" => solver with { SinglePrecisionLargeStallTolerance = double.Parse(value, CultureInfo.InvariantCulture) },
                _ => solver,
            };
            certify = key switch
            {
                "ballpoints" => certify with { ClusterPoints = I() },
                "refine" => certify with { RefineIterations = I() },
                "refinemax" => certify with { RefineMaxPairs = long.Parse(value, CultureInfo.InvariantCulture) },
                "coarse" => certify with { CoarseSize = I() },
                "treemin" => certify with { TreeMinPairs = long.Parse(value, CultureInfo.InvariantCulture) },
                "tiles" => certify with { SingleTransforms = I() != 0 },
                "orders" => certify with { BothOrders = I() != 1 },
                "screen" => certify with { QueryScreen = I() != 0 },
                "medium" => certify with { MediumSize = I() },
                "level" => certify with { LevelTransforms = I() != 0 },
                "cellmax" => certify with { CellMaxPoints = I() },
                "certeps" => certify with { Epsilon = double.Parse(value, CultureInfo.InvariantCulture) },
                "certiter" => certify with { MaxIterations = I() },
                "econe" => certify with { EuclideanTreeCones = I() != 0 },
                "treeslack" => certify with { EuclideanTreeSlack = double.Parse(value, CultureInfo.InvariantCulture) },
                "sqslack" => certify with { SquaredTreeSlack = double.Parse(value, CultureInfo.InvariantCulture) },
                "sqlevel" => certify with { SquaredTreeLevel = I() != 0 },
                "sqcurv" => certify with { SquaredTreeCurvature = I() != 0 },
                "sqmixed" => certify with { SquaredTreeMixedOrders = I() != 0 },
                "sqfit" => certify with { SquaredTreeNodeFits = I() != 0 },
                "ascent" => certify with { AscentCandidates = I() },
                "ascentrev" => certify with { AscentReverseCandidates = I() },
                "ascentpasses" => certify with { AscentPasses = I() },
                "ascentbids" => certify with { AscentBids = I() },
                "ascentwar" => certify with { AscentWarBids = I() },
                "ascentmax" => certify with { AscentMaxPoints = I() },
                "ascentskip" => certify with { AscentSkipGap = double.Parse(value, CultureInfo.InvariantCulture) },
                "ascentexits" => certify with { AscentExitPoints = I() },
                "exitpasses" => certify with { AscentExitPasses = I() },
                "exitfirstgain" => certify with { AscentExitFirstGain = double.Parse(value, CultureInfo.InvariantCulture) },
                "exitdim" => certify with { AscentExitMaxDimension = I() },
                "ascentreuse" => certify with { AscentReuseGraph = I() != 0 },
                "sparselevel" => certify with { SparseLevelSize = I() },
                "sparsepasses" => certify with { SparseLevelPasses = I() },
                _ => certify,
            };
            if (key == "lb")
            {
                bound = double.Parse(value, CultureInfo.InvariantCulture);
            }

            if (key == "exact")
            {
                bound = double.NaN;
            }

            if (key == "data")
            {
                dataSeed = I();
            }
        }

        var sample = SyntheticData.Generate(ds, n, dataSeed, d, withTarget: true);
        if (args.FirstOrDefault(a => a.StartsWith("files=", StringComparison.Ordinal)) is { } files)
        {
            // files=A.npy,B.npy: the first N rows of two .npy point arrays (e.g. the obsm arrays of bench/audit30's pairs)
            // replace the synthetic clouds; D is taken from the files.
            var paths = files["files=".Length..].Split(',');
            var xs = Bound.First(Monge.IO.NpyFormat.Read(paths[0]).ToPointCloud(), n);
            d = xs.Dimension;
            sample = new DatasetSample(ds, xs, Bound.First(Monge.IO.NpyFormat.Read(paths[1]).ToPointCloud(), n));
        }

        if (args.Contains("exact=1"))
        {
            var exactClock = Stopwatch.StartNew();
            bound = new Monge.Solvers.Exact.LinearAssignment().Solve(sample.Source, sample.Target!, cost).TotalCost / n;
            Console.WriteLine($"  exact optimum {bound:F6} ({exactClock.Elapsed.TotalSeconds:F1} s, Jonker–Volgenant); gap below = HiRef / optimum − 1");
        }

        HiRefProfile.Enabled = args.Contains("profile=1");
        HiRefProfile.Reset();
        var stages = new StageClock();
        var clock = Stopwatch.StartNew();
        var solveCpu = Process.GetCurrentProcess().TotalProcessorTime;
        if (args.Contains("seedpot=1"))
        {
            // Experiment: the certificate's target potential seeds the global refinement (its time is not in the solve's).
            var seedClock = Stopwatch.StartNew();
            var seed = certify.Compute(sample.Source, sample.Target!, cost);
            Console.WriteLine($"  seed potential: bound={seed.LowerBound:F6} ({seedClock.Elapsed.TotalSeconds:F1} s)");
            solver = solver with { GlobalSeedPotential = seed.G };
        }

        if (args.Contains("potonly=1"))
        {
            // The cheap global potential alone (its seconds; the global step's seconds include it).
            var potClock = Stopwatch.StartNew();
            var g = CoarsePotential.Target(sample.Source.Memory, sample.Target!.Memory, n, d, cost, solver.GlobalCoarseSize, solver.GlobalCoarseEpsilon, solver.Seed, CancellationToken.None);
            Console.WriteLine($"  coarse potential: {potClock.Elapsed.TotalSeconds:F2} s (s = {solver.GlobalCoarseSize}, mean g {g.Average():G6})");
        }

        if (args.FirstOrDefault(a => a.StartsWith("parts=", StringComparison.Ordinal)) is { } partsArg)
        {
            // Experiment (stop 21): an upper bound on the optimum and a matching from Q random disjoint parts. Source part q
            // and target part q are the points at positions q·n/Q … (q+1)·n/Q − 1 of two seeded random permutations; each
            // pair of parts is solved with the same options (at n/Q points), and the union of the Q matchings is a matching of
            // the whole problem whose cost is the mean of the parts' costs (so the whole optimum is at most that). Then
            // savematch= saves the union; slabfrom= on it runs the large rounds.
            Parts(int.Parse(partsArg["parts=".Length..], CultureInfo.InvariantCulture), sample.Source, sample.Target!, n, solver, bound, args);
            return;
        }

        if (args.FirstOrDefault(a => a.StartsWith("slabfrom=", StringComparison.Ordinal)) is { } slabFrom)
        {
            // Experiment: slab rounds alone from a saved matching (savematch=PATH of an earlier run), per-round CPU and gain;
            // large (rounds), largesize (pairs per slab), largetol (stop tolerance).
            SlabFrom(slabFrom["slabfrom=".Length..], sample.Source.Memory, sample.Target!.Memory, n, d, cost, solver, bound);
            return;
        }

        if (args.FirstOrDefault(a => a.StartsWith("polishfrom=", StringComparison.Ordinal)) is { } from)
        {
            // Experiment: the global step alone from a saved matching (savematch=PATH of an earlier run), with gcheck etc.
            PolishFrom(from["polishfrom=".Length..], sample.Source.Memory, sample.Target!.Memory, n, d, cost, solver, bound, stages);
            return;
        }

        if (args.Contains("firstrankonly=1"))
        {
            // Experiment: the choice of level 1's rank alone (its sample solves), with the process CPU it took.
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var choice = solver.ChooseFirstRank(sample.Source, sample.Target!);
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine($"{args[1]},{d},{cost.Name},{n},{string.Join(' ', args.Skip(5))},first rank: {choice?.ToString() ?? "none"},cpu_s={cpu:F1}");
            return;
        }

        var r = args.Contains("nosolve=1") ? null : solver.Solve(sample.Source, sample.Target!, stages);
        if (r is not null && args.FirstOrDefault(a => a.StartsWith("savematch=", StringComparison.Ordinal)) is { } save)
        {
            File.WriteAllBytes(save["savematch=".Length..], System.Runtime.InteropServices.MemoryMarshal.AsBytes(r.Permutation.AsSpan()).ToArray());
        }

        var seconds = clock.Elapsed.TotalSeconds;
        solveCpu = Process.GetCurrentProcess().TotalProcessorTime - solveCpu;
        if (HiRefProfile.Enabled)
        {
            // The solve's WorkerScratch loops (the global step's, stop 29): local-init calls (one scratch each before) and scratches allocated.
            Console.WriteLine($"  solve scratches: replicas={WorkerScratch.Replicas},created={WorkerScratch.Created},gc={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)},allocated_gb={GC.GetTotalAllocatedBytes() / 1e9:F2}");
        }

        var record = new Dictionary<string, object?>
        {
            ["dataset"] = args[1],
            ["d"] = d,
            ["cost_function"] = cost.Name,
            ["n"] = n,
            ["data_seed"] = dataSeed,
            ["options"] = string.Join(' ', args.Skip(5)),
            ["schedule"] = r?.RankSchedule,
            ["first_rank"] = r?.FirstRank?.Rank,
            ["first_rank_scores"] = r?.FirstRank?.Scores.Select(t => new[] { t.Rank, t.SampleCost }).ToArray(),
            ["first_rank_s"] = r?.FirstRank?.Seconds,
            ["cost"] = r?.Cost,
            ["cost_before_polish"] = r?.CostBeforePolish,
            ["solve_s"] = r is null ? null : seconds,
            ["solve_cpu_s"] = r is null ? null : solveCpu.TotalSeconds,
            ["lower_bound"] = null,
            ["certified_gap"] = null,
            ["certify_s"] = null,
            ["certify_cpu_s"] = null,
            ["levels_s"] = r?.Levels.Select(l => l.Seconds).ToArray(),
            ["polish_s"] = r?.PolishSeconds,
        };
        if (args.Contains("certify=1"))
        {
            var certifyClock = Stopwatch.StartNew();
            var certifyCpu = Process.GetCurrentProcess().TotalProcessorTime;
            DualBoundClusters.Evaluated = 0;
            DualBoundClusters.Screened = 0;
            DualBoundTree.Evaluated = 0;
            var orders = new OrderClock();
            // The ascent's skip reads the cost being certified (a --certify path knows it): DualBound.AscentSkipGap.
            var lower = (certify with { UpperBound = r?.Cost ?? double.NaN }).Compute(sample.Source, sample.Target!, cost, orders);
            var certifySeconds = certifyClock.Elapsed.TotalSeconds;
            certifyCpu = Process.GetCurrentProcess().TotalProcessorTime - certifyCpu;
            var hirefCost = r?.Cost ?? double.NaN;
            Console.WriteLine(
                $"  certificate: bound={lower.LowerBound:F6},certified_gap={lower.RelativeGap(hirefCost):P3},gap_to_lb={(bound / lower.LowerBound) - 1:P3},"
                + $"sinkhorn_s={lower.SinkhornElapsed.TotalSeconds:F1},transforms_s={lower.CertifyElapsed.TotalSeconds:F1},certify_s={certifySeconds:F1},solve_s={seconds:F1},"
                + $"certify_over_solve={certifySeconds / seconds:F2},certify_cpu_s={certifyCpu.TotalSeconds:F1},solve_cpu_s={solveCpu.TotalSeconds:F1},"
                + $"cpu_ratio={certifyCpu.TotalSeconds / solveCpu.TotalSeconds:F2},ball_pairs_per_query={DualBoundClusters.Evaluated / (4.0 * n):F0},screened_per_query={DualBoundClusters.Screened / (4.0 * n):F0},tree_pairs_per_query={DualBoundTree.Evaluated / (4.0 * n):F0},sinkhorn_iterations={lower.SinkhornConvergence?.Iterations}");
            Console.WriteLine($"  orders: {orders}");
            Console.WriteLine(FormattableString.Invariant($"  ascent: {string.Join(' ', lower.AscentBounds.Select(v => v.ToString("F6", CultureInfo.InvariantCulture)))} bids: {string.Join(' ', lower.AscentBids)} cpu_s: {string.Join(' ', lower.AscentCpuSeconds.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}"));
            Console.WriteLine(FormattableString.Invariant($"  level: {string.Join(' ', lower.LevelBounds.Select(v => v.ToString("F6", CultureInfo.InvariantCulture)))}"));
            if (HiRefProfile.Enabled)
            {
                Console.WriteLine($"  scratches: replicas={WorkerScratch.Replicas},created={WorkerScratch.Created},gc={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)},gc_pause_s={GC.GetTotalPauseDuration().TotalSeconds:F1},allocated_gb={GC.GetTotalAllocatedBytes() / 1e9:F1}");
            }

            if (args.Contains("slack=1") && (r?.Permutation ?? LoadMatch(args)) is { } sigma)
            {
                Slack.Print(sample.Source.Memory.Span, sample.Target!.Memory.Span, d, sigma, lower.F, lower.G, cost);
            }

            record["lower_bound"] = lower.LowerBound;
            record["certified_gap"] = r is null ? null : lower.RelativeGap(hirefCost);
            record["certify_s"] = certifySeconds;
            record["certify_cpu_s"] = certifyCpu.TotalSeconds;
        }

        if (r is null)
        {
            WriteRecord(record);
            return;
        }

        var levels = string.Join(" ", r.Levels.Select(l => l.Seconds.ToString("F1", CultureInfo.InvariantCulture)));
        Console.WriteLine(
            $"{args[1]},{d},{cost.Name},{n},{string.Join(' ', args.Skip(5))},schedule=[{string.Join(" ", r.RankSchedule)}],cost={r.Cost:F6},before_polish={r.CostBeforePolish:F6},"
            + $"gap={(r.Cost / bound) - 1:P3},gap_before={(r.CostBeforePolish / bound) - 1:P3},s={seconds:F1},levels_s=[{levels}],leaf_s={r.LeafSeconds:F1},polish_s={r.PolishSeconds:F1},"
            + $"peak_mb={r.PeakScratchBytes / 1e6:F0},process_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0}");
        Console.WriteLine("  steps: " + string.Join(" ", r.PolishSteps.Select(p => $"{p.Step}x{p.Rounds}:{p.Cost:F6}({(p.Cost / bound) - 1:P3},{p.Seconds:F1}s)")));
        if (r.FirstRank is { } firstRank)
        {
            Console.WriteLine("  first rank: " + firstRank);
        }

        Console.WriteLine("  stages: " + stages);
        if (HiRefProfile.Enabled)
        {
            Console.WriteLine("  profile (thread seconds): " + HiRefProfile.Summary());
        }

        WriteRecord(record);
    }

    // matchfrom=PATH: a permutation saved by savematch= (for slack=1 with nosolve=1).
    private static int[]? LoadMatch(string[] args) =>
        args.FirstOrDefault(a => a.StartsWith("matchfrom=", StringComparison.Ordinal)) is { } from
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(File.ReadAllBytes(from["matchfrom=".Length..])).ToArray()
            : null;

    /// <summary>The case's one machine-readable line: <c>json: </c> and the record, with the process's peak working set
    /// and its whole CPU time (user + sys, start-up and data generation included).</summary>
    private static void WriteRecord(Dictionary<string, object?> record)
    {
        using var process = Process.GetCurrentProcess();
        record["process_peak_mb"] = process.PeakWorkingSet64 / 1e6;
        record["process_cpu_s"] = process.TotalProcessorTime.TotalSeconds;
        Console.WriteLine("json: " + System.Text.Json.JsonSerializer.Serialize(record));
    }

    private static void Parts(int q, Monge.Geometry.PointCloud<double> x, Monge.Geometry.PointCloud<double> y, int n, HierarchicalRefinement solver, double bound, string[] args)
    {
        var rng = new Random(12345);
        var px = Enumerable.Range(0, n).ToArray();
        var py = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(px);
        rng.Shuffle(py);
        var perm = new int[n];
        var start = Process.GetCurrentProcess().TotalProcessorTime;
        double total = 0;
        for (var part = 0; part < q; part++)
        {
            var lo = (int)((long)n * part / q);
            var hi = (int)((long)n * (part + 1) / q);
            var r = solver.Solve(x.Subset(px.AsSpan(lo, hi - lo)), y.Subset(py.AsSpan(lo, hi - lo)));
            for (var i = 0; i < hi - lo; i++)
            {
                perm[px[lo + i]] = py[lo + r.Permutation[i]];
            }

            total += r.Cost * (hi - lo);
            Console.WriteLine($"  part {part + 1}/{q}: m={hi - lo},cost={r.Cost:F6},cpu_s={(Process.GetCurrentProcess().TotalProcessorTime - start).TotalSeconds:F1}");
        }

        var value = total / n;
        Console.WriteLine($"  parts: q={q},union_cost={value:F6},gap={(value / bound) - 1:P3},cpu_s={(Process.GetCurrentProcess().TotalProcessorTime - start).TotalSeconds:F1}");
        if (args.FirstOrDefault(a => a.StartsWith("savematch=", StringComparison.Ordinal)) is { } save)
        {
            File.WriteAllBytes(save["savematch=".Length..], System.Runtime.InteropServices.MemoryMarshal.AsBytes(perm.AsSpan()).ToArray());
        }
    }

    private static void SlabFrom(string path, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int n, int d, Monge.Geometry.Costs.ICostFunction<double> cost, HierarchicalRefinement solver, double bound)
    {
        var perm = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(File.ReadAllBytes(path)).ToArray();
        var idxX = Enumerable.Range(0, n).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = solver.MaxDegreeOfParallelism };
        var matching = new HiRefMatching(x, y, d, idxX, perm, [], cost, parallel, null, 0) { MixedPrecisionMinSize = solver.ExactMixedPrecisionMinSize, WarmStart = solver.ExactWarmStart, CurrentWarmMaxSize = solver.SlabWarmMaxSize, PositionalRowsMaxPoints = solver.SlabRowsMaxPoints };
        var before = matching.Recompute();
        var start = Process.GetCurrentProcess().TotalProcessorTime;
        var last = start;
        var previous = before;
        Console.WriteLine($"  slabfrom: before={before:F6},gap={(before / bound) - 1:P3},size={solver.LargeSlabSize},rounds={solver.LargeSlabRounds}");
        void OnRound(string label, int round, int moved, double value)
        {
            var now = Process.GetCurrentProcess().TotalProcessorTime;
            Console.WriteLine($"  {label}round {round + 1}: moved={moved},cost={value:F6},gap={(value / bound) - 1:P3},gain={(previous - value) / previous:E2},cpu_s={(now - last).TotalSeconds:F2},gain_per_cpu_s={(previous - value) / previous / (now - last).TotalSeconds:E2},total_cpu_s={(now - start).TotalSeconds:F1}");
            last = now;
            previous = value;
        }

        // first=R firstsize=K: R rounds of K-pair slabs (their own directions) before the large rounds, as in the solver.
        if (solver.FirstSlabRounds > 0)
        {
            var first = new SlabPolish(solver.FirstSlabRounds, solver.FirstSlabSize, solver.Seed, directionOffset: 2000) { OnRound = (round, moved, value) => OnRound($"first({solver.FirstSlabSize}) ", round, moved, value) };
            first.Apply(matching, CancellationToken.None);
        }

        var step = new SlabPolish(solver.LargeSlabRounds, solver.LargeSlabSize, solver.Seed, solver.LargeSlabTolerance, solver.LargeSlabPatience) { OnRound = (round, moved, value) => OnRound(string.Empty, round, moved, value) };
        step.Apply(matching, CancellationToken.None);
        Console.WriteLine($"  slabfrom: after={matching.Value:F6},gap={(matching.Value / bound) - 1:P3},total_cpu_s={(Process.GetCurrentProcess().TotalProcessorTime - start).TotalSeconds:F1}");
    }

    private static void PolishFrom(string path, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int n, int d, Monge.Geometry.Costs.ICostFunction<double> cost, HierarchicalRefinement solver, double bound, IProgress<SolverProgress> stages)
    {
        var perm = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(File.ReadAllBytes(path)).ToArray();
        var idxX = Enumerable.Range(0, n).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = solver.MaxDegreeOfParallelism };
        var matching = new HiRefMatching(x, y, d, idxX, perm, [], cost, parallel, stages, 0);
        var before = matching.Recompute();
        matching.Value = before;
        if (n > solver.GlobalMaxPoints && solver.GroupedStepFor(n) is { } grouped)
        {
            // Above GlobalMaxPoints: the grouped step (groups, grounds), each group's CPU and the whole cost after it.
            var groupStart = Process.GetCurrentProcess().TotalProcessorTime;
            var groupLast = groupStart;
            var stepped = new GroupedGlobalPolish(solver.GlobalGroupRounds, solver.GlobalGroupPoints, solver.GroupStep, solver.Seed, solver.PolishTolerance, 1)
            {
                OnGroup = (round, g, groups, value) =>
                {
                    var now = Process.GetCurrentProcess().TotalProcessorTime;
                    Console.WriteLine($"  round {round + 1} group {g + 1}/{groups}: cost={value:F6},gap={(value / bound) - 1:P3},cpu_s={(now - groupLast).TotalSeconds:F1},total_cpu_s={(now - groupStart).TotalSeconds:F1}");
                    groupLast = now;
                },
            };
            stepped.Apply(matching, CancellationToken.None);
            Console.WriteLine($"  polishfrom: before={before:F6},cost={matching.Value:F6},gap={(matching.Value / bound) - 1:P3},rounds={stepped.RoundsRun},groups_of={solver.GlobalGroupPoints},cpu_s={(Process.GetCurrentProcess().TotalProcessorTime - groupStart).TotalSeconds:F1},peak_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0}");
            return;
        }

        var step = new GlobalSparsePolish(solver.GlobalPasses, solver.GlobalCandidates, solver.GlobalBallPoints > 0 ? solver.GlobalBallPoints : Math.Max(128, n / 256), solver.GlobalProbes, solver.PolishTolerance, solver.GlobalSeedPotential, solver.GlobalCoarseSize, solver.GlobalCoarseEpsilon, solver.Seed, 1, solver.GlobalCheck, solver.GlobalExact, solver.GlobalExactBalls, solver.GlobalExactScreen, solver.GlobalWarmEpsilon);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        step.Apply(matching, CancellationToken.None);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"  polishfrom: before={before:F6},cost={matching.Value:F6},gap={(matching.Value / bound) - 1:P3},passes={step.RoundsRun},s={clock.Elapsed.TotalSeconds:F1},cpu_s={cpu.TotalSeconds:F1},potential_s={step.PotentialSeconds:F1},check_bound={step.CheckBound:F6},check_gap={(matching.Value / step.CheckBound) - 1:P3},violations={step.CheckViolations},evaluated_per_row={step.EvaluatedPerRow:F0},screened_per_row={step.ScreenedPerRow:F0}");
    }

    private sealed class StageClock : IProgress<SolverProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<(string Stage, double At)> _seen = [];

        public void Report(SolverProgress value)
        {
            lock (_seen)
            {
                var stage = value.Stage ?? "";
                if (_seen.Count == 0 || _seen[^1].Stage != stage)
                {
                    if (HiRefProfile.Enabled && _seen.Count > 0)
                    {
                        // The phases of the stage that just ended (thread seconds), then a fresh count for the next one.
                        Console.Error.WriteLine($"  profile of {_seen[^1].Stage}: {HiRefProfile.Summary()}");
                        HiRefProfile.Reset();
                    }

                    using var process = Process.GetCurrentProcess();
                    Console.Error.WriteLine($"  [{_clock.Elapsed.TotalSeconds:F1} s] {stage} (working set {Environment.WorkingSet / 1e6:F0} MB, peak {process.PeakWorkingSet64 / 1e6:F0} MB, "
                        + $"managed {GC.GetTotalMemory(false) / 1e6:F0} MB, process CPU {process.TotalProcessorTime.TotalSeconds:F1} s)");
                    _seen.Add((stage, _clock.Elapsed.TotalSeconds));
                }

                if (!double.IsNaN(value.Error))
                {
                    _seen.Add(($"gain {value.Error:E1}", _clock.Elapsed.TotalSeconds));
                }
            }
        }

        public override string ToString() => string.Join(" ", _seen.Select(s => $"{s.Stage}@{s.At:F1}"));
    }

    /// <summary>
    /// The certificate's "certify" reports: the bound of the order from f (report 1 of 2), the larger of both orders
    /// (2 of 2) and the process CPU-seconds of each order of c-transforms.
    /// </summary>
    private sealed class OrderClock : IProgress<SolverProgress>
    {
        private readonly double[] _cpu = new double[3];
        private readonly double[] _bound = new double[3];

        public void Report(SolverProgress value)
        {
            if (value.Stage != "certify" || value.Completed is < 0 or > 2)
            {
                return;
            }

            using var process = Process.GetCurrentProcess();
            _cpu[value.Completed] = process.TotalProcessorTime.TotalSeconds;
            _bound[value.Completed] = value.Error;
        }

        public override string ToString() =>
            $"bound_from_f={_bound[1]:F6},bound_best={_bound[2]:F6},g_gains={_bound[2] > _bound[1]},order_f_cpu_s={_cpu[1] - _cpu[0]:F1},order_g_cpu_s={_cpu[2] - _cpu[1]:F1}";
    }
}
