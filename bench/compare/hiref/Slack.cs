using System.Globalization;
using Monge.Geometry.Costs;
using Monge.Solvers.Hierarchical;

/// <summary>
/// Where a certified gap sits (tune's slack=1): the slack s_i = c(x_i, y_σ(i)) − u_i − v_σ(i) ≥ 0 of every matched pair
/// under a feasible dual pair (u, v), whose mean is cost − bound. Slack spread over every pair points at the bound (at an
/// optimal matching the slack of the optimum's pairs is the bound's whole loss); slack on a few pairs points at the
/// matching (pairs no optimal plan uses). Printed: the mean, quantiles, the share of the total carried by the top 1% and
/// 10% of pairs, and the share per cell of a 4 × 4 grid over the first two coordinates of the sources and of the targets.
/// </summary>
internal static class Slack
{
    public static void Print(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, int[] sigma, double[] u, double[] v, ICostFunction<double> cost)
    {
        var n = sigma.Length;
        var s = new double[n];
        double total = 0;
        for (var i = 0; i < n; i++)
        {
            s[i] = Math.Max(0, BlockFactors.PairCost(x.Slice(i * d, d), y.Slice(sigma[i] * d, d), cost) - u[i] - v[sigma[i]]);
            total += s[i];
        }

        var sorted = (double[])s.Clone();
        Array.Sort(sorted);
        double Top(double fraction)
        {
            double sum = 0;
            for (var k = n - 1; k >= n - (int)(n * fraction); k--)
            {
                sum += sorted[k];
            }

            return total > 0 ? sum / total : 0;
        }

        string Q(double q) => sorted[Math.Min(n - 1, (int)(q * n))].ToString("G3", CultureInfo.InvariantCulture);
        Console.WriteLine($"  slack: mean={total / n:G6} (cost - bound), quantiles 50%={Q(0.5)} 90%={Q(0.9)} 99%={Q(0.99)} max={sorted[^1]:G3}, top 1% of pairs carry {Top(0.01):P1}, top 10% {Top(0.1):P1}, zero-slack pairs {sorted.Count(t => t <= 1e-9 * (total / n + 1)) / (double)n:P1}");
        Console.WriteLine("  slack by source cell (4x4 grid, row = 2nd coordinate high to low; share of total slack / share of points): " + Grid(x, d, n, i => i, s, total));
        Console.WriteLine("  slack by target cell: " + Grid(y, d, n, i => sigma[i], s, total));
    }

    private static string Grid(ReadOnlySpan<double> points, int d, int n, Func<int, int> index, double[] s, double total)
    {
        double x0 = double.MaxValue, x1 = double.MinValue, y0 = double.MaxValue, y1 = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            var px = points[i * d];
            var py = d > 1 ? points[(i * d) + 1] : 0;
            (x0, x1, y0, y1) = (Math.Min(x0, px), Math.Max(x1, px), Math.Min(y0, py), Math.Max(y1, py));
        }

        var share = new double[16];
        var count = new int[16];
        for (var i = 0; i < n; i++)
        {
            var j = index(i);
            var px = points[j * d];
            var py = d > 1 ? points[(j * d) + 1] : 0;
            var cx = Math.Min(3, (int)(4 * (px - x0) / Math.Max(1e-300, x1 - x0)));
            var cy = Math.Min(3, (int)(4 * (py - y0) / Math.Max(1e-300, y1 - y0)));
            share[(cy * 4) + cx] += s[i];
            count[(cy * 4) + cx]++;
        }

        var rows = new List<string>();
        for (var cy = 3; cy >= 0; cy--)
        {
            rows.Add(string.Join(" ", Enumerable.Range(0, 4).Select(cx => $"{share[(cy * 4) + cx] / total:P0}/{count[(cy * 4) + cx] / (double)n:P0}")));
        }

        return $"x in [{x0:F1}, {x1:F1}], y in [{y0:F1}, {y1:F1}]: " + string.Join(" | ", rows);
    }
}
