using Monge.Gaussian;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tools.Maps;

namespace Monge.IO.Tests;

public sealed class TransportMapFileTests
{
    private static readonly Sinkhorn Options = new() { Epsilon = 0.3, Threshold = 1e-4 };

    private static (PointCloud<double> X, PointCloud<double> Y) Clouds(bool weighted)
    {
        var x = GaussianMeasure.Standard(3).Sample(30, Seeds.Default);
        var y = new GaussianMeasure([1, 0, -1], [1, 0, 0, 0, 2, 0, 0, 0, 0.5]).Sample(25, Seeds.Default + 1);
        if (weighted)
        {
            var rng = Seeds.Create(5);
            var w = Enumerable.Range(0, 25).Select(_ => 0.5 + rng.NextDouble()).ToArray();
            var total = w.Sum();
            y = y.WithWeights(Array.ConvertAll(w, v => v / total));
        }

        return (x, y);
    }

    [Theory]
    [InlineData("sqeuclidean", false)]
    [InlineData("elastic-l1:0.1", true)]
    [InlineData("elastic-stvs:0.30000000000000004", false)]
    [InlineData("elastic-kovl:2:0.7", true)]
    public void SaveLoad_EntropicMap_RoundTripsExactly(string costName, bool weighted)
    {
        using var folder = new TempFolder();
        var (x, y) = Clouds(weighted);
        var map = EntropicMap.Fit(x, y, CostFunction.Parse<double>(costName), Options);
        var path = Path.Combine(folder.Path, "map.npz");
        TransportMapFile.Save(map, path);
        var loaded = Assert.IsType<EntropicMap>(TransportMapFile.Load(path));
        Assert.Equal(map.Cost.Name, loaded.Cost.Name);
        Assert.Equal(map.Epsilon, loaded.Epsilon);
        Assert.Equal(map.TargetPotential.ToArray(), loaded.TargetPotential.ToArray());
        Assert.Equal(map.Target.Data.ToArray(), loaded.Target.Data.ToArray());
        Assert.Equal(map.Target.HasWeights, loaded.Target.HasWeights);
        Assert.Equal(map.Target.Weights.ToArray(), loaded.Target.Weights.ToArray());
        var query = GaussianMeasure.Standard(3).Sample(10, 9);
        Assert.Equal(map.Apply(query).Data.ToArray(), loaded.Apply(query).Data.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SaveLoad_DebiasedProgOTMap_RoundTripsExactlyAsVersionTwo(bool weightedSource)
    {
        using var folder = new TempFolder();
        var (x, y) = Clouds(false);
        if (weightedSource)
        {
            var w = Enumerable.Range(0, x.Count).Select(i => 1.0 + (i % 3)).ToArray();
            x = x.WithWeights(Array.ConvertAll(w, v => v / w.Sum()));
        }

        var map = new ProgOT { Steps = 2, Epsilons = [0.5, 0.3], Debiased = true, Sinkhorn = new Sinkhorn { Threshold = 1e-4 } }.Fit(x, y).Map;
        var path = Path.Combine(folder.Path, "debiased.npz");
        TransportMapFile.Save(map, path);
        Assert.Equal([0x4D4F4E47, 2], (int[])NpzFormat.Read(path)["format"].Data);
        var loaded = Assert.IsType<ProgOTMap>(TransportMapFile.Load(path));
        for (var k = 0; k < 2; k++)
        {
            Assert.True(loaded.Stages[k].IsDebiased);
            Assert.Equal(map.Stages[k].DebiasingSource!.Data.ToArray(), loaded.Stages[k].DebiasingSource!.Data.ToArray());
            Assert.Equal(map.Stages[k].DebiasingPotential.ToArray(), loaded.Stages[k].DebiasingPotential.ToArray());
            Assert.Equal(weightedSource, loaded.Stages[k].DebiasingSource!.HasWeights);
        }

        var query = GaussianMeasure.Standard(3).Sample(10, 9);
        Assert.Equal(map.Apply(query).Data.ToArray(), loaded.Apply(query).Data.ToArray());

        // A plain map is still written as version 1 (readable by builds that predate debiasing).
        TransportMapFile.Save(EntropicMap.Fit(x, y, null, Options), path);
        Assert.Equal([0x4D4F4E47, 1], (int[])NpzFormat.Read(path)["format"].Data);
    }

    [Fact]
    public void SaveLoad_ProgOTMap_RoundTripsExactly()
    {
        using var folder = new TempFolder();
        var (x, y) = Clouds(false);
        var map = new ProgOT { Steps = 3, Epsilons = [0.5, 0.3, 0.2], Sinkhorn = new Sinkhorn { Threshold = 1e-4 } }.Fit(x, y, new ElasticL1<double>(0.05)).Map;
        var path = Path.Combine(folder.Path, "progot.npz");
        TransportMapFile.Save(map, path);
        var loaded = Assert.IsType<ProgOTMap>(TransportMapFile.Load(path));
        Assert.Equal(map.Alphas, loaded.Alphas);
        Assert.Equal(map.Epsilons, loaded.Epsilons);
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(map.Stages[k].TargetPotential.ToArray(), loaded.Stages[k].TargetPotential.ToArray());
        }

        var query = GaussianMeasure.Standard(3).Sample(10, 9);
        Assert.Equal(map.Apply(query).Data.ToArray(), loaded.Apply(query).Data.ToArray());
    }

    [Fact]
    public void Load_UnknownVersionOrCorruptFile_ThrowsDataFormatException()
    {
        using var folder = new TempFolder();
        var (x, y) = Clouds(false);
        var path = Path.Combine(folder.Path, "map.npz");
        TransportMapFile.Save(EntropicMap.Fit(x, y, null, Options), path);
        var arrays = NpzFormat.Read(path).ToDictionary(kv => kv.Key, kv => kv.Value);

        void Expect(string name, Action<Dictionary<string, NumericArray>> change, string fragment)
        {
            var copy = new Dictionary<string, NumericArray>(arrays);
            change(copy);
            var file = Path.Combine(folder.Path, name + ".npz");
            NpzFormat.Write(file, copy);
            var error = Assert.Throws<DataFormatException>(() => TransportMapFile.Load(file));
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }

        Expect("version", a => a["format"] = new NumericArray(new[] { 0x4D4F4E47, 99 }, 2), "version 99");
        Expect("magic", a => a["format"] = new NumericArray(new[] { 1, 1 }, 2), "magic");
        Expect("nokey", a => a.Remove("potentials"), "potentials");
        Expect("shape", a => a["potentials"] = new NumericArray(new double[3], 1, 3), "shapes disagree");
        Expect("eps", a => a["epsilons"] = new NumericArray(new[] { -1.0 }, 1), "ε");
        Expect("cost", a => a["cost"] = new NumericArray(new[] { 120, 121 }, 2), "Unknown cost");
        Expect("nan", a => a["potentials"] = new NumericArray(Enumerable.Repeat(double.NaN, 25).ToArray(), 1, 25), "not finite");
        Expect("method", a => a["method"] = new NumericArray(new[] { 120 }, 1), "unknown method");

        // Truncations of the file never load silently.
        var bytes = File.ReadAllBytes(path);
        foreach (var length in new[] { 0, 10, bytes.Length / 2, bytes.Length - 5 })
        {
            var truncated = Path.Combine(folder.Path, $"cut{length}.npz");
            File.WriteAllBytes(truncated, bytes.AsSpan(0, length).ToArray());
            Assert.ThrowsAny<IOException>(() => TransportMapFile.Load(truncated));
        }
    }
}
