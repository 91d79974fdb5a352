using Monge.Cli.Infrastructure;
using Monge.Datasets;
using Monge.IO;
using Monge.Solvers.Hierarchical;

namespace Monge.Cli.Tests;

/// <summary>Points read from a float64 .npy: one copy in memory, the same bits and the same matching as in memory.</summary>
public sealed class NpyStreamingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monge-npy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadPoints_Float64Npy_OneCopyBitIdenticalAndTheSameMatching()
    {
        const int n = 3000;
        var sample = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, n, 7, 2, withTarget: true);
        var xPath = Path.Combine(_dir, "x.npy");
        var yPath = Path.Combine(_dir, "y.npy");
        NpyFormat.Write(xPath, NumericArray.FromPointCloud(sample.Source));
        NpyFormat.Write(yPath, NumericArray.FromPointCloud(sample.Target!));

        // Warm the reader once, then count what one load allocates: the coordinates (8·n·d bytes) and small change,
        // not a second copy of them.
        _ = DataFiles.LoadPoints(xPath, null, DataLoadOptions.Default, "source");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var x = DataFiles.LoadPoints(xPath, null, DataLoadOptions.Default, "source");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var payload = 8L * n * 2;
        Assert.True(allocated < (1.5 * payload) + (128 * 1024), $"loading {payload} bytes of coordinates allocated {allocated} bytes");
        var y = DataFiles.LoadPoints(yPath, null, DataLoadOptions.Default, "target");

        Assert.Equal(sample.Source.Data.ToArray(), x.Cloud.Data.ToArray());
        Assert.Equal(sample.Target!.Data.ToArray(), y.Cloud.Data.ToArray());
        var solver = new HierarchicalRefinement { Seed = 3 };
        var fromFile = solver.Solve(x.Cloud, y.Cloud);
        var inMemory = solver.Solve(sample.Source, sample.Target!);
        Assert.Equal(inMemory.Permutation, fromFile.Permutation);
        Assert.Equal(inMemory.Cost, fromFile.Cost);
    }

    [Fact]
    public void LoadPoints_ShortNpy_TypedError()
    {
        var path = Path.Combine(_dir, "short.npy");
        NpyFormat.Write(path, new NumericArray(new double[40], 20, 2));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^9]);
        var ex = Assert.ThrowsAny<Exception>(() => DataFiles.LoadPoints(path, null, DataLoadOptions.Default, "source"));
        Assert.IsType<DataFormatException>(ex);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }
}
