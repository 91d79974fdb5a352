using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.Solvers.Hierarchical;
using Monge.Tools;

/// <summary>The certify mode: HiRef's cost against the certified lower bound of <see cref="DualBound"/>.</summary>
internal static class Certify
{
    /// <summary>
    /// One case with chosen HiRef options: -- options DATASET D COST N POLISH_ROUNDS [SCHEDULE r1,r2] [ITERATIONS] [LEAF].
    /// </summary>
    public static void Options(string[] args)
    {
        if (!SyntheticData.TryParse(args[1], out var ds))
        {
            throw new ArgumentException($"Unknown dataset {args[1]}.", nameof(args));
        }

        var d = int.Parse(args[2], CultureInfo.InvariantCulture);
        var cost = CostFunction.Parse<double>(args[3]);
        var n = int.Parse(args[4], CultureInfo.InvariantCulture);
        var solver = new HierarchicalRefinement { Cost = cost, PolishRounds = int.Parse(args[5], CultureInfo.InvariantCulture) };
        if (args.Length > 6 && args[6] != "auto")
        {
            solver = solver with { RankSchedule = args[6].Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray() };
        }

        if (args.Length > 7)
        {
            solver = solver with { MaxIterations = int.Parse(args[7], CultureInfo.InvariantCulture) };
        }

        if (args.Length > 8)
        {
            solver = solver with { LeafSize = int.Parse(args[8], CultureInfo.InvariantCulture) };
        }

        var sample = SyntheticData.Generate(ds, n, 1, d, withTarget: true);
        var clock = Stopwatch.StartNew();
        var r = solver.Solve(sample.Source, sample.Target!);
        Console.WriteLine($"{args[1]},{d},{cost.Name},{n},polish={solver.PolishRounds},schedule=[{string.Join(" ", r.RankSchedule)}],iter={solver.MaxIterations},leaf={solver.LeafSize},cost={r.Cost:F6},before_polish={r.CostBeforePolish:F6},rounds={r.PolishRounds},s={clock.Elapsed.TotalSeconds:F1},polish_s={r.PolishSeconds:F1}");
    }

    public static void Run(string[] args)
    {
        var sizes = (args.Length > 1 ? args[1] : "4096").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var exactMaxN = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4096;
        var epsilon = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : new DualBound().Epsilon;
        var maxIterations = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : new DualBound().MaxIterations;
        var only = args.Length > 5 ? args[5] : "";
        var coarse = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : new DualBound().CoarseSize;
        var refine = args.Length > 7 ? int.Parse(args[7], CultureInfo.InvariantCulture) : new DualBound().RefineIterations;
        var skipHiref = args.Length > 8 && args[8] == "nohiref";
        var treeMinPairs = args.Length > 9 ? long.Parse(args[9], CultureInfo.InvariantCulture) : new DualBound().TreeMinPairs;
        var bound = new DualBound { Epsilon = epsilon, MaxIterations = maxIterations, CoarseSize = coarse, RefineIterations = refine, TreeMinPairs = treeMinPairs };
        Console.WriteLine("dataset,d,cost,n,hiref_cost,hiref_s,lower_bound,certified_gap,epsilon,sinkhorn_iterations,sinkhorn_status,sinkhorn_s,certify_s,exact_cost,exact_s,hiref_over_exact,bound_below_exact");
        foreach (var cost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
        {
            foreach (var (ds, d) in QualityCases.Pairs)
            {
                var name = $"{SyntheticData.CliName(ds)}-{d}-{cost.Name}";
                if (!name.Contains(only, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                foreach (var n in sizes)
                {
                    var sample = SyntheticData.Generate(ds, n, 1, d, withTarget: true);
                    var clock = Stopwatch.StartNew();
                    var hiref = skipHiref ? null : new HierarchicalRefinement { Cost = cost }.Solve(sample.Source, sample.Target!);
                    var hirefCost = hiref?.Cost ?? double.NaN;
                    var hirefSeconds = clock.Elapsed.TotalSeconds;
                    var certificate = bound.Compute(sample.Source, sample.Target!, cost);
                    var (exact, exactSeconds) = QualityCases.ExactOptimum(sample, cost, exactMaxN);

                    var conv = certificate.SinkhornConvergence!;
                    Console.WriteLine(string.Join(
                        ",",
                        SyntheticData.CliName(ds),
                        d,
                        cost.Name,
                        n,
                        hirefCost.ToString("F6"),
                        hirefSeconds.ToString("F1"),
                        certificate.LowerBound.ToString("F6"),
                        certificate.RelativeGap(hirefCost).ToString("F5"),
                        certificate.Epsilon.ToString("G4"),
                        conv.Iterations,
                        conv.Status,
                        certificate.SinkhornElapsed.TotalSeconds.ToString("F1"),
                        certificate.CertifyElapsed.TotalSeconds.ToString("F1"),
                        exact.ToString("F6"),
                        exactSeconds.ToString("F1"),
                        (hirefCost / exact).ToString("F5"),
                        (1 - (certificate.LowerBound / exact)).ToString("F6")));
                }
            }
        }
    }
}
