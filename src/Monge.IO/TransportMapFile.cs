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
/// [1] for an entropic map). Time and memory O(K·m + m·d).
/// </summary>
public static class TransportMapFile
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

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

        var arrays = new Dictionary<string, NumericArray>
        {
            ["format"] = new(new[] { Magic, FormatVersion }, 2),
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
        if (version != FormatVersion)
        {
            throw Bad("format", $"map format version {version} is not supported (this build reads version {FormatVersion})");
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

        try
        {
            var target = new PointCloud<double>((double[])targetArray.Data, m, d, weights);
            var maps = new EntropicMap[stages];
            for (var k = 0; k < stages; k++)
            {
                maps[k] = new EntropicMap(target, potentials.AsSpan(k * m, m).ToArray(), epsilons[k], cost);
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
