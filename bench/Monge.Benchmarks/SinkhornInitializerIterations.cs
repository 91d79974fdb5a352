using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Gaussian;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;

/// <summary>
/// One-shot iteration counts of every Sinkhorn initializer, with and without ε-scaling (counts are machine-independent):
/// <c>dotnet run -c Release --project bench/Monge.Benchmarks -- sinkhorn-init PROBLEM N [EPS_REL] [THRESHOLD] [ref|sweep [M1,M2,...]]</c>.
/// PROBLEM = mixture2d (OTT-style Gaussian mixtures, d = 2), mixture1d (the same in d = 1) or gaussian2d (two
/// anisotropic Gaussians, d = 2). ε = EPS_REL·mean(C) (default 0.01), stopped at the L2 marginal error THRESHOLD
/// (default 1e-6), as in bench/compare/sinkhorn. ε-scaling: ×100, decay 0.9 per iteration (an initialized run starts
/// lower, by the solver's default rule). <c>ref</c> adds a reference solve at THRESHOLD/10⁴ and each run's relative
/// cost distance to it; <c>sweep</c> instead starts every initializer's schedule at each listed multiplier (default
/// 1,3,10,30,100) and prints the start's residual and spread. Environment: SUBEPS sets
/// <see cref="Sinkhorn.SubsampleEpsilonMultiplier"/>, MOMENTUM <see cref="Sinkhorn.Momentum"/>, START <see cref="Sinkhorn.InitializedScalingStart"/>, INITS
/// filters the initializers of a sweep (a substring of their names).
/// </summary>
internal static class SinkhornInitializerIterations
{
    public static void Run(string[] args)
    {
        var problemName = args[0];
        var n = int.Parse(args[1], CultureInfo.InvariantCulture);
        var epsRel = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0.01;
        var threshold = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 1e-6;
        var (x, y) = Clouds(problemName, n);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var eps = epsRel * problem.Geometry.ComputeStatistics().Mean;
        var baseOptions = new Sinkhorn
        {
            Epsilon = eps,
            Threshold = threshold,
            Norm = MarginalNorm.L2,
            MaxIterations = 20_000,
            SubsampleSize = Math.Max(1, n / 10),
            Seed = 1,
            SubsampleEpsilonMultiplier = Environment.GetEnvironmentVariable("SUBEPS") is { } se ? double.Parse(se, CultureInfo.InvariantCulture) : 1,
            InitializedScalingStart = Environment.GetEnvironmentVariable("START") is { } st ? double.Parse(st, CultureInfo.InvariantCulture) : null,
            Momentum = Environment.GetEnvironmentVariable("MOMENTUM") is { } mo ? double.Parse(mo, CultureInfo.InvariantCulture) : 1,
        };
        Console.WriteLine(FormattableString.Invariant($"problem={problemName} n={n} d={x.Dimension} eps={eps:G4} (= {epsRel}·mean C) threshold(L2)={threshold:G3}"));
        var initializers = new List<SinkhornInitializer> { SinkhornInitializer.Zero, SinkhornInitializer.Gaussian, SinkhornInitializer.Subsample };
        if (x.Dimension == 1)
        {
            initializers.Add(SinkhornInitializer.Sorting);
        }

        if (args.Length > 4 && args[4] == "sweep")
        {
            Sweep(problem, baseOptions, initializers, args.Length > 5 ? args[5] : "1,3,10,30,100");
            return;
        }

        double? referenceCost = null;
        if (args.Length > 4 && args[4] == "ref")
        {
            var reference = (baseOptions with { Threshold = threshold * 1e-4, MaxIterations = 100_000, EpsilonScaling = new EpsilonScaling(100, 0.9), Initializer = SinkhornInitializer.Zero }).Solve(problem);
            referenceCost = reference.Cost;
            Console.WriteLine(FormattableString.Invariant($"reference (threshold {threshold * 1e-4:G3}): cost={reference.Cost:G10} iterations={reference.Convergence.Iterations} status={reference.Convergence.Status}"));
        }

        Console.WriteLine("| initializer | ε-scaling | iterations | status | cost | |cost − ref|/ref | seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var scaling in new[] { EpsilonScaling.None, new EpsilonScaling(100, 0.9) })
        {
            foreach (var init in initializers)
            {
                var options = baseOptions with { Initializer = init, EpsilonScaling = scaling };
                var watch = Stopwatch.StartNew();
                var output = options.Solve(problem);
                watch.Stop();
                var label = scaling == EpsilonScaling.None ? "none" : "×100, 0.9";
                var error = referenceCost is { } rc ? FormattableString.Invariant($"{Math.Abs(output.Cost - rc) / rc:G2}") : "";
                Console.WriteLine(FormattableString.Invariant($"| {init} | {label} | {output.Convergence.Iterations} | {output.Convergence.Status} | {output.Cost:G8} | {error} | {watch.Elapsed.TotalSeconds:F2} |"));
            }
        }
    }

    private static void Sweep(LinearProblem<double> problem, Sinkhorn baseOptions, List<SinkhornInitializer> initializers, string multipliers)
    {
        var ms = multipliers.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        foreach (var init in initializers.Where(i => Environment.GetEnvironmentVariable("INITS") is not { } only || only.Contains(i.ToString(), StringComparison.Ordinal)))
        {
            var opts = baseOptions with { Initializer = init };
            var state = new SinkhornState<double>(problem, opts.Convention, opts.Epsilon!.Value);
            opts.Initialize(problem, state, default);
            Console.WriteLine(FormattableString.Invariant($"{init}: residual/eps = {Sinkhorn.InitialResidual(state) / opts.Epsilon.Value:G4} spread/eps = {Sinkhorn.PotentialSpread(state) / opts.Epsilon.Value:G4} subsample-level = {opts.SubsampleEpsilonMultiplier}"));
            foreach (var mult in ms)
            {
                var watch = Stopwatch.StartNew();
                var output = (baseOptions with { Initializer = init, EpsilonScaling = new EpsilonScaling(mult, 0.9), InitializedScalingStart = mult }).Solve(problem);
                watch.Stop();
                Console.WriteLine(FormattableString.Invariant($"| {init} | x{mult} | {output.Convergence.Iterations} | {output.Convergence.Status} | {output.Cost:G8} | {watch.Elapsed.TotalSeconds:F2} |"));
            }
        }
    }

    private static (PointCloud<double> X, PointCloud<double> Y) Clouds(string name, int n)
    {
        switch (name)
        {
            case "mixture2d":
            case "mixture1d":
                var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 1, name == "mixture2d" ? 2 : 1, withTarget: true);
                return (sample.Source, sample.Target!);
            case "gaussian2d":
                var source = new GaussianMeasure([0, 0], [1, 0.3, 0.3, 0.5]);
                var target = new GaussianMeasure([3, 1], [0.4, -0.2, -0.2, 2]);
                return (source.Sample(n, 1), target.Sample(n, 2));
            default:
                throw new ArgumentException($"Unknown problem '{name}' (mixture2d, mixture1d, gaussian2d).", nameof(name));
        }
    }
}
