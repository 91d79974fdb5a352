using System.Security.Cryptography;
using Monge.Datasets;
using Monge.Numerics;
using Monge.Solvers.Hierarchical;

namespace Monge.Benchmarks.Numerics;

/// <summary>
/// `seeding-ab [reps] [blockPoints]`: the single-precision co-clustering's start (<c>CompactCoClustering.Seed</c>: k-means++,
/// two soft balanced Lloyd steps with their projections, the final distances) on a block like the 1M solve's level 2: the
/// 65 536 source points of 8 Gaussians → moons (n = 1 048 576, data seed 1) nearest one point and the 65 536 target points
/// nearest it, scattered through the cloud as a level-2 block's rows are, rank 16, one thread. Timed by process CPU, the
/// parts as differences of Seed with 0, 1 and 2 Lloyd steps (and k-means++ through the index array alone, the path of
/// blocks above the gathered size), and a SHA-256 of the logits (the same bits old and new).
/// </summary>
public static class SeedingRun
{
    /// <summary>Runs the timings and prints the least and median CPU-ms per call.</summary>
    public static void Run(int reps, int blockPoints)
    {
        const int n = 1 << 20;
        const int r = 16;
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 1, 2, withTarget: true);
        var x = sample.Source.Data.ToArray();
        var y = sample.Target!.Data.ToArray();
        var ix = Nearest(x, n, x[0], x[1], blockPoints);
        var iy = Nearest(y, n, x[0], x[1], blockPoints);
        var ws = new CoClusteringWorkspace();
        var names = new[] { "kmeans++ rows", "seed lloyd=0", "seed lloyd=1", "seed lloyd=2" };
        var times = names.Select(_ => new List<double>()).ToArray();
        string hash = "";
        for (var rep = 0; rep < reps + 1; rep++)
        {
            for (var j = 0; j < names.Length; j++)
            {
                var rng = new Random(12345);
                var t0 = Monge.Tools.ProcessCpu.Now();
                if (j == 0)
                {
                    ws.EnsureCompactProjection(blockPoints, r);
                    KMeans.Seed(x, blockPoints, 2, r, rng, new double[r * 2], rows: ix, distances: ws.RowDual);
                }
                else
                {
                    _ = CompactCoClustering.Seed(ws, x, y, 2, ix, iy, r, 4.0, j - 1, rng, null);
                }

                var ms = (Monge.Tools.ProcessCpu.Now() - t0).TotalMilliseconds;
                if (rep >= 1)
                {
                    times[j].Add(ms);
                }

                if (j == 3 && rep == 0)
                {
                    var bytes = new byte[blockPoints * r * 8];
                    Buffer.BlockCopy(ws.LogQ32, 0, bytes, 0, blockPoints * r * 4);
                    Buffer.BlockCopy(ws.LogR32, 0, bytes, blockPoints * r * 4, blockPoints * r * 4);
                    hash = Convert.ToHexString(SHA256.HashData(bytes))[..16];
                }
            }
        }

        Console.WriteLine($"logits sha256 {hash}");
        HiRefProfile.Enabled = true;
        HiRefProfile.Reset();
        _ = CompactCoClustering.Seed(ws, x, y, 2, ix, iy, r, 4.0, 2, new Random(12345), null);
        Console.WriteLine(HiRefProfile.Summary());
        HiRefProfile.Enabled = false;
        for (var j = 0; j < names.Length; j++)
        {
            times[j].Sort();
            Console.WriteLine(FormattableString.Invariant($"{names[j],-14} min {times[j][0],8:F2} ms  median {times[j][times[j].Count / 2],8:F2} ms (CPU per call, {blockPoints} points, r = {r})"));
        }
    }

    // The indices of the m points of p nearest (a, b), in index order (scattered through the cloud).
    private static int[] Nearest(double[] p, int n, double a, double b, int m)
    {
        var d = new double[n];
        var idx = new int[n];
        for (var i = 0; i < n; i++)
        {
            d[i] = ((p[2 * i] - a) * (p[2 * i] - a)) + ((p[(2 * i) + 1] - b) * (p[(2 * i) + 1] - b));
            idx[i] = i;
        }

        Array.Sort(d, idx);
        var result = idx[..m];
        Array.Sort(result);
        return result;
    }
}
