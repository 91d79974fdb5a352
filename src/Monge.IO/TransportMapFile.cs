using System.Text;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Tools.Maps;

namespace Monge.IO;

/// <summary>
/// Saves and loads fitted transport maps (<see cref="EntropicMap"/>, <see cref="ProgOTMap"/>) as versioned .npz files
/// that NumPy can read. Every number round-trips exactly (float64). Keys of format version 1:
/// <c>format</c> (int32 [2]: magic 0x4D4F4E47 "MONG", version), <c>method</c> (UTF-8 bytes as int32: "entropic" or
/// "progot"), <c>cost</c> (UTF-8 bytes as int32: the cost's name, parsed back with <see cref="CostFunction.Parse{T}"/>),
/// <c>target</c> (float64 m × d), <c>target_weights</c> (float64 m, the weights b as given, or absent for uniform),
/// <c>potentials</c> (float64 K × m: g of every stage), <c>epsilons</c> (float64 K) and <c>alphas</c> (float64 K;
/// [1] for an entropic map). Format version 2 (written only for debiased maps, <see cref="EntropicMap.IsDebiased"/>; a
/// build that reads version 1 only refuses it rather than dropping the debiasing) adds <c>debias_points</c> (float64
/// (K·n) × d: every stage's source points, stage after stage), <c>debias_potentials</c> (float64 K × n: the symmetric
/// potential of every stage's (source, source) problem) and <c>debias_weights</c> (float64 n, absent for uniform).
/// Time and memory O(K·(m + n·d) + m·d).
/// </summary>
public static class TransportMapFile
{
    /// <summary>The newest format version this build writes and reads (it writes version 1 for maps that are not debiased, and reads both).</summary>
    public const int FormatVersion = 2;

    private const int Magic = 0x4D4F4E47;

    /// <summary>Writes <paramref name="map"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="map">An <see cref="EntropicMap"/> or a <see cref="ProgOTMap"/>.</param>
    /// <param name="path">The .npz file.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <exception cref="NotSupportedException">Another <see cref="ITransportMap"/> implementation.</exception>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false, or writing failed.</exception>
    public static void Save(ITransportMap map, string path, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(map);
        var (method, stages, alphas) = map switch
        {
            EntropicMap e => ("entropic", new[] { e }, new[] { 1.0 }),
            ProgOTMap p => ("progot", p.Stages.ToArray(), p.Alphas.ToArray()),
            _ => throw new NotSupportedException($"Cannot save a {map.GetType().Name}; only EntropicMap and ProgOTMap have a file format."),
        };
        var target = stages[0].Target;
        var m = target.Count;
        var potentials = new double[stages.Length * m];
        for (var k = 0; k < stages.Length; k++)
        {
            if (!ReferenceEquals(stages[k].Target, target) && !stages[k].Target.Data.SequenceEqual(target.Data))
            {
                throw new NotSupportedException("The stages of a ProgOT map must share their target points.");
            }

            stages[k].TargetPotential.CopyTo(potentials.AsSpan(k * m, m));
        }

        var debiased = stages[0].IsDebiased;
        if (stages.Any(stage => stage.IsDebiased != debiased))
        {
            throw new NotSupportedException("The stages of a ProgOT map must be all debiased or none.");
        }

        var arrays = new Dictionary<string, NumericArray>
        {
            ["format"] = new(new[] { Magic, debiased ? 2 : 1 }, 2),
            ["method"] = Text(method),
            ["cost"] = Text(map.Cost.Name),
            ["target"] = new(target.Data.ToArray(), m, target.Dimension),
            ["potentials"] = new(potentials, stages.Length, m),
            ["epsilons"] = new(stages.Select(s => s.Epsilon).ToArray(), stages.Length),
            ["alphas"] = new(alphas, alphas.Length),
        };
        if (target.HasWeights)
        {
            arrays["target_weights"] = new(target.Weights.ToArray(), m);
        }

        if (debiased)
        {
            var source = stages[0].DebiasingSource!;
            var n = source.Count;
            var d = source.Dimension;
            var points = new double[stages.Length * n * d];
            var selfPotentials = new double[stages.Length * n];
            for (var k = 0; k < stages.Length; k++)
            {
                var stageSource = stages[k].DebiasingSource!;
                if (stageSource.Count != n || (stageSource.HasWeights ? !stageSource.Weights.SequenceEqual(source.Weights) : source.HasWeights))
                {
                    throw new NotSupportedException("The debiased stages of a ProgOT map must share their source size and weights.");
                }

                stageSource.Data.CopyTo(points.AsSpan(k * n * d, n * d));
                stages[k].DebiasingPotential.CopyTo(selfPotentials.AsSpan(k * n, n));
            }

            arrays["debias_points"] = new(points, stages.Length * n, d);
            arrays["debias_potentials"] = new(selfPotentials, stages.Length, n);
            if (source.HasWeights)
            {
                arrays["debias_weights"] = new(source.Weights.ToArray(), n);
            }
        }

        NpzFormat.Write(path, arrays, overwrite);
    }

    /// <summary>Reads a map written by <see cref="Save"/>.</summary>
    /// <param name="path">The .npz file.</param>
    /// <returns>An <see cref="EntropicMap"/> or a <see cref="ProgOTMap"/>.</returns>
    /// <exception cref="DataFormatException">Not a map file, an unknown format version, or inconsistent contents (missing
    /// keys, shapes that disagree, non-finite values, an unknown cost).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ITransportMap Load(string path)
    {
        var arrays = NpzFormat.Read(path);
        var name = Path.GetFileName(path);
        DataFormatException Bad(string key, string problem, Exception? inner = null) => new(name, key, problem, inner);
        NumericArray Get(string key) => arrays.TryGetValue(key, out var a) ? a : throw Bad(key, $"missing key '{key}': not a Monge map file");
        var format = Get("format");
        if (format.DType != NumericDType.Int32 || format.Length != 2 || ((int[])format.Data)[0] != Magic)
        {
            throw Bad("format", "not a Monge map file (bad magic)");
        }

        var version = ((int[])format.Data)[1];
        if (version is < 1 or > FormatVersion)
        {
            throw Bad("format", $"map format version {version} is not supported (this build reads versions 1 to {FormatVersion})");
        }

        var method = ReadText(Get("method"), "method", Bad);
        var costName = ReadText(Get("cost"), "cost", Bad);
        ICostFunction<double> cost;
        try
        {
            cost = CostFunction.Parse<double>(costName);
        }
        catch (InputValidationException e)
        {
            throw Bad("cost", e.Message, e);
        }

        var targetArray = Get("target");
        if (targetArray.Shape.Count != 2 || targetArray.DType != NumericDType.Float64)
        {
            throw Bad("target", $"expected a float64 matrix, got {targetArray.DType} {targetArray.ShapeString()}");
        }

        var m = targetArray.Rows;
        var d = targetArray.Columns;
        var potentials = Float64(Get("potentials"), "potentials", Bad);
        var epsilons = Float64(Get("epsilons"), "epsilons", Bad);
        var alphas = Float64(Get("alphas"), "alphas", Bad);
        var stages = epsilons.Length;
        if (stages < 1 || alphas.Length != stages || potentials.Length != (long)stages * m || (method == "entropic" && (stages != 1 || alphas[0] != 1)))
        {
            throw Bad("potentials", $"shapes disagree: {stages} ε, {alphas.Length} α, {potentials.Length} potential values for {m} target points (method {method})");
        }

        double[]? weights = null;
        if (arrays.TryGetValue("target_weights", out var w))
        {
            weights = Float64(w, "target_weights", Bad);
            if (weights.Length != m)
            {
                throw Bad("target_weights", $"{weights.Length} weights for {m} target points");
            }
        }

        double[]? selfPoints = null;
        double[]? selfPotentials = null;
        double[]? selfWeights = null;
        var n = 0;
        if (version == 2)
        {
            var pointsArray = Get("debias_points");
            selfPoints = Float64(pointsArray, "debias_points", Bad);
            selfPotentials = Float64(Get("debias_potentials"), "debias_potentials", Bad);
            n = selfPotentials.Length / stages;
            if (pointsArray.Shape.Count != 2 || pointsArray.Columns != d || selfPotentials.Length != (long)stages * n || selfPoints.Length != (long)stages * n * d || n < 1)
            {
                throw Bad("debias_points", $"shapes disagree: {pointsArray.ShapeString()} debiasing points and {selfPotentials.Length} potential values for {stages} stages in dimension {d}");
            }

            if (arrays.TryGetValue("debias_weights", out var sw))
            {
                selfWeights = Float64(sw, "debias_weights", Bad);
                if (selfWeights.Length != n)
                {
                    throw Bad("debias_weights", $"{selfWeights.Length} weights for {n} debiasing points");
                }
            }
        }

        try
        {
            var target = new PointCloud<double>((double[])targetArray.Data, m, d, weights);
            var maps = new EntropicMap[stages];
            for (var k = 0; k < stages; k++)
            {
                var g = potentials.AsSpan(k * m, m).ToArray();
                maps[k] = selfPoints is null
                    ? new EntropicMap(target, g, epsilons[k], cost)
                    : new EntropicMap(target, g, epsilons[k], cost, new PointCloud<double>(selfPoints.AsSpan(k * n * d, n * d).ToArray(), n, d, selfWeights), selfPotentials!.AsSpan(k * n, n).ToArray());
            }

            return method switch
            {
                "entropic" => maps[0],
                "progot" => new ProgOTMap(maps, alphas),
                _ => throw Bad("method", $"unknown method '{method}' (expected entropic or progot)"),
            };
        }
        catch (Exception e) when (e is InputValidationException or UnsupportedCostException)
        {
            throw Bad("contents", e.Message, e);
        }
    }

    private static NumericArray Text(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new NumericArray(Array.ConvertAll(bytes, b => (int)b), bytes.Length);
    }

    private static string ReadText(NumericArray array, string key, Func<string, string, Exception?, DataFormatException> bad)
    {
        if (array.DType != NumericDType.Int32 || array.Shape.Count != 1 || ((int[])array.Data).Any(b => b is < 0 or > 255))
        {
            throw bad(key, "expected UTF-8 bytes stored as an int32 vector", null);
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(Array.ConvertAll((int[])array.Data, b => (byte)b));
        }
        catch (ArgumentException e)
        {
            throw bad(key, "invalid UTF-8", e);
        }
    }

    private static double[] Float64(NumericArray array, string key, Func<string, string, Exception?, DataFormatException> bad) =>
        array.DType == NumericDType.Float64 ? (double[])array.Data : throw bad(key, $"expected float64, got {array.DType}", null);
}
