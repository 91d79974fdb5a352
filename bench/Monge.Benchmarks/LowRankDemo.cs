using System.Diagnostics;
using System.Globalization;
using Monge.Geometry;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers.LowRank;

/// <summary>
/// Seed-to-seed spread of FRLC on a fixed problem (hiref_frlc.md §8 item 6, our side only):
/// <c>dotnet run -c Release --project bench/Monge.Benchmarks -- lowrank-demo FIXTURE RANK SEEDS SETTINGS</c>.
/// FIXTURE is a tests/fixtures/lowrank_demo_*.npz written by tools/fixtures/lowrank.py (points x, y, exponent p,
/// scale = max of the cost, POT's exact optimum); the cost is the dense ‖x − y‖^p / scale. SETTINGS = demo (the FRLC
/// demo notebook: 100–200 outer iterations, inner 300/300) or defaults (the reference FRLC_opt defaults). Runs
/// initialisation seeds 1..SEEDS and prints each cost, then the mean, sample standard deviation, min, max and spread.
/// </summary>
internal static class LowRankDemo
{
    public static void Run(string[] args)
    {
        var path = args[0];
        var rank = int.Parse(args[1], CultureInfo.InvariantCulture);
        var seeds = int.Parse(args[2], CultureInfo.InvariantCulture);
        var settings = args[3];
        var arrays = NpzFormat.Read(path);
        var x = arrays["x"].ToPointCloud();
        var y = arrays["y"].ToPointCloud();
        var p = arrays["p"].ToDoubleArray()[0];
        var scale = arrays["scale"].ToDoubleArray()[0];
        var exact = arrays["exact"].ToDoubleArray()[0];
        var n = x.Count;
        var m = y.Count;
        var c = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var d2 = 0.0;
                for (var l = 0; l < x.Dimension; l++)
                {
                    var t = x.Row(i)[l] - y.Row(j)[l];
                    d2 += t * t;
                }

                c[(i * m) + j] = (p == 2 ? d2 : Math.Sqrt(d2)) / scale;
            }
        }

        var max = c.Max();
        if (Math.Abs(max - 1) > 1e-12)
        {
            throw new InvalidOperationException($"cost max {max} after dividing by the fixture's scale (expected 1)");
        }

        var solver = settings switch
        {
            "demo" => new Frlc { Rank = rank, MinIterations = 100, MaxIterations = 200, ProjectionIterations = 300, LatentIterations = 300 },
            "defaults" => new Frlc { Rank = rank },
            _ => throw new ArgumentException($"settings must be demo or defaults (got {settings})"),
        };
        var problem = new LinearProblem<double>(new DenseGeometry<double>(c, n, m));
        var costs = new List<double>();
        for (var seed = 1; seed <= seeds; seed++)
        {
            var watch = Stopwatch.StartNew();
            var result = (solver with { Seed = seed }).Solve(problem);
            costs.Add(result.Cost);
            Console.WriteLine(FormattableString.Invariant(
                $"seed={seed} cost={result.Cost:F6} ratio={result.Cost / exact:F4} iterations={result.Convergence.Iterations} inner_sweeps={result.ProjectionSweeps} status={result.Convergence.Status} source_l1={result.SourceMarginalError:E2} target_l1={result.TargetMarginalError:E2} time_s={watch.Elapsed.TotalSeconds:F1}"));
        }

        var mean = costs.Average();
        var sd = Math.Sqrt(costs.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, costs.Count - 1));
        Console.WriteLine(FormattableString.Invariant(
            $"fixture={Path.GetFileName(path)} n={n} rank={rank} settings={settings} seeds={seeds} exact={exact:F6} mean={mean:F6} sd={sd:E2} min={costs.Min():F6} max={costs.Max():F6} spread={costs.Max() - costs.Min():E2} mean_ratio={mean / exact:F4}"));
    }
}
