using System.Globalization;
using Monge.Geometry;
using Monge.IO;

namespace Monge.Cli.Infrastructure;

/// <summary>
/// The one loader every verb uses. Inputs are <c>FILE</c> or <c>FILE#KEY</c>; the format comes from the extension:
/// <list type="bullet">
/// <item><c>.npy</c>: one array (no key);</item>
/// <item><c>.npz</c>: <c>#KEY</c> names an array (optional when the archive holds one);</item>
/// <item><c>.csv</c>/<c>.tsv</c>/<c>.txt</c> and <c>.parquet</c>: <c>#col1,col2</c> selects columns by name;</item>
/// <item><c>.h5ad</c>/<c>.h5</c>/<c>.hdf5</c>: <c>#KEY</c> is a path such as <c>obsm/spatial</c>, <c>obsm/X_pca</c>,
/// <c>X</c> (dense or CSR/CSC sparse, densified in chunks) or <c>obs/weight</c>.</item>
/// </list>
/// Outputs are written by extension (<c>.npy</c>, <c>.npz</c>, <c>.csv</c>, <c>.parquet</c>), atomically, and never
/// replace an existing file without <c>--overwrite</c>.
/// </summary>
public static class DataFiles
{
    /// <summary>The input extensions, for messages.</summary>
    public const string InputTypes = ".npy, .npz, .csv, .tsv, .txt, .parquet, .h5ad, .h5";

    /// <summary>The output extensions, for messages.</summary>
    public const string OutputTypes = ".npy, .npz, .csv, .parquet";

    /// <summary>Splits <c>FILE#KEY</c> into the path and the key (null when there is none).</summary>
    public static (string Path, string? Key) SplitSpec(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var hash = spec.LastIndexOf('#');
        return hash > 0 ? (spec[..hash], spec[(hash + 1)..]) : (spec, null);
    }

    /// <summary>Whether the input is an HDF5 / AnnData file (by extension).</summary>
    public static bool IsHdf5(string spec) => Extension(SplitSpec(spec).Path) is ".h5ad" or ".h5" or ".hdf5";

    /// <summary>Loads one array with the default options.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed.</exception>
    /// <exception cref="UsageException">Unknown extension, a key or column that does not exist (the message lists those that
    /// do), a non-numeric selection, or an array too large to densify.</exception>
    public static NumericArray Load(string spec) => Load(spec, DataLoadOptions.Default);

    /// <summary>Loads one array.</summary>
    /// <inheritdoc cref="Load(string)"/>
    public static NumericArray Load(string spec, DataLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (path, key) = SplitSpec(spec);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found.", path);
        }

        try
        {
            return LoadCore(path, key, options);
        }
        catch (DataSelectionException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
    }

    /// <summary>
    /// Loads a point cloud (a 2-D array, or a vector as n × 1) and optional weights (a vector, or n × 1), checks shapes and
    /// finiteness, and drops non-finite rows when <see cref="DataLoadOptions.DropNonFinite"/> is set (a row is dropped from
    /// both the points and the weights).
    /// </summary>
    /// <param name="spec">The points, <c>FILE</c> or <c>FILE#KEY</c>.</param>
    /// <param name="weightsSpec">The weights, or <see langword="null"/> for uniform weights.</param>
    /// <param name="options">Loading options.</param>
    /// <param name="role">Names the input in messages, for example <c>source</c>.</param>
    /// <exception cref="InputValidationException">Wrong rank, weights of the wrong length, non-finite rows (count and first
    /// row; without <c>--drop-nonfinite</c>), negative weights or zero mass.</exception>
    public static LoadedPoints LoadPoints(string spec, string? weightsSpec, DataLoadOptions options, string role = "points")
    {
        ArgumentNullException.ThrowIfNull(options);
        var array = Load(spec, options);
        if (array.Shape.Count is 0 or > 2)
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"{role} {spec}: expected a 2-D array of points (n × d) or a vector, got shape {array.ShapeString()}.",
                role);
        }

        var n = array.Rows;
        var d = array.Shape.Count == 2 ? array.Shape[1] : 1;
        if (n == 0 || d == 0)
        {
            throw new InputValidationException(InputProblem.Empty, $"{role} {spec}: no points (shape {array.ShapeString()}).", role);
        }

        var coordinates = array.ToDoubleArray();
        double[]? weights = null;
        if (weightsSpec is not null)
        {
            weights = LoadVector(weightsSpec, options, $"{role} weights");
            if (weights.Length != n)
            {
                throw new InputValidationException(
                    InputProblem.DimensionMismatch,
                    $"{role} weights {weightsSpec}: {weights.Length} values for {n} points in {spec}.",
                    role + "Weights");
            }

            var firstNegative = Array.FindIndex(weights, w => w < 0);
            if (firstNegative >= 0)
            {
                throw new InputValidationException(
                    InputProblem.NegativeWeight,
                    string.Create(CultureInfo.InvariantCulture, $"{role} weights {weightsSpec}: negative weight {weights[firstNegative]} at row {firstNegative}; weights must be ≥ 0."),
                    role + "Weights",
                    firstNegative);
            }
        }

        var bad = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var finite = weights is null || double.IsFinite(weights[i]);
            for (var j = 0; finite && j < d; j++)
            {
                finite = double.IsFinite(coordinates[((long)i * d) + j]);
            }

            if (!finite)
            {
                bad.Add(i);
            }
        }

        var kept = Enumerable.Range(0, n).ToArray();
        if (bad.Count > 0)
        {
            if (!options.DropNonFinite)
            {
                throw new InputValidationException(
                    InputProblem.NonFinite,
                    $"{role} {spec}{(weightsSpec is null ? string.Empty : $" (weights {weightsSpec})")}: {Plural(bad.Count, "row")} of {n} contain NaN or Inf (first: row {bad[0]}); {(options.OffersDrop ? "fix the data or pass --drop-nonfinite to drop them" : "remove those rows first (only monge solve and monge match can drop them, with --drop-nonfinite)")}.",
                    role,
                    bad[0]);
            }

            if (bad.Count == n)
            {
                throw new InputValidationException(InputProblem.Empty, $"{role} {spec}: all {n} rows contain NaN or Inf; nothing is left after --drop-nonfinite.", role, 0);
            }

            var isBad = new bool[n];
            foreach (var i in bad)
            {
                isBad[i] = true;
            }

            kept = Enumerable.Range(0, n).Where(i => !isBad[i]).ToArray();
            var compact = new double[(long)kept.Length * d];
            for (var k = 0; k < kept.Length; k++)
            {
                Array.Copy(coordinates, (long)kept[k] * d, compact, (long)k * d, d);
            }

            coordinates = compact;
            weights = weights is null ? null : kept.Select(i => weights[i]).ToArray();
        }

        if (weights is not null && !(weights.Sum() > 0))
        {
            throw new InputValidationException(InputProblem.ZeroMass, $"{role} weights {weightsSpec}: the weights sum to 0; at least one must be positive.", role + "Weights");
        }

        // The loaded array is local to this call, so the cloud takes its buffer: a float64 .npy is streamed once into the
        // array the solvers read (8·n·d bytes), with no second copy.
        var cloud = new PointCloud<double>(coordinates, kept.Length, d, weights);
        return new LoadedPoints(spec, weightsSpec, cloud, kept, bad.Count);
    }

    /// <summary>Loads a vector (a 1-D array, or an n × 1 column) as doubles, for weights, permutations and traces.</summary>
    /// <exception cref="InputValidationException">The array is not a vector.</exception>
    public static double[] LoadVector(string spec, DataLoadOptions options, string role = "vector")
    {
        var array = Load(spec, options);
        if (array.Shape.Count > 2 || (array.Shape.Count == 2 && array.Shape[1] != 1 && array.Shape[0] != 1))
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"{role} {spec}: expected a vector (n,) or (n, 1), got shape {array.ShapeString()}.",
                role);
        }

        return (double[])array.ToDoubleArray().Clone();
    }

    /// <summary>Loads every array a file holds (one for .npy, CSV and Parquet, all entries for .npz), keyed by name.</summary>
    public static IReadOnlyList<(string Name, NumericArray Array)> LoadAll(string spec)
    {
        var (path, key) = SplitSpec(spec);
        if (key is null && Extension(path) == ".npz" && File.Exists(path))
        {
            return NpzFormat.Read(path).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToList();
        }

        return [(key ?? Path.GetFileName(path), Load(spec))];
    }

    /// <summary>Saves an array by extension (.npy, .npz as <c>arr_0</c>, .csv, .parquet), atomically.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="UsageException">Unknown extension.</exception>
    public static void Save(string path, NumericArray array, bool overwrite, IReadOnlyList<string>? header = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckOutput(path, overwrite);
        switch (Extension(path))
        {
            case ".npy":
                NpyFormat.Write(path, array, overwrite);
                break;
            case ".npz":
                NpzFormat.Write(path, new Dictionary<string, NumericArray> { ["arr_0"] = array }, overwrite);
                break;
            case ".csv":
                CsvFormat.Write(path, array, header, overwrite);
                break;
            case ".parquet":
                ParquetFormat.Write(path, array, header, overwrite);
                break;
        }
    }

    /// <summary>Checks that an output path has a known extension, that its folder exists and, unless
    /// <paramref name="overwrite"/>, that it does not exist yet. Call it for every output before any work.</summary>
    /// <exception cref="UsageException">Unknown extension.</exception>
    /// <exception cref="IOException">The file exists without <paramref name="overwrite"/>, or its folder is missing.</exception>
    public static void CheckOutput(string path, bool overwrite)
    {
        if (Extension(path) is not (".npy" or ".npz" or ".csv" or ".parquet"))
        {
            throw new UsageException($"{path}: unknown output type '{Extension(path)}' (expected {OutputTypes}).");
        }

        CheckNewFile(path, overwrite);
    }

    /// <summary>Checks that <paramref name="path"/> can be written: its folder exists and, unless
    /// <paramref name="overwrite"/>, the file does not exist yet (for plots and reports as well as data).</summary>
    /// <exception cref="IOException">The file exists without <paramref name="overwrite"/>, or its folder is missing.</exception>
    public static void CheckNewFile(string path, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!overwrite && File.Exists(path))
        {
            throw new IOException($"{path}: file exists; pass --overwrite to replace it.");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{path}: folder '{folder}' does not exist.");
        }
    }

    private static NumericArray LoadCore(string path, string? key, DataLoadOptions options)
    {
        switch (Extension(path))
        {
            case ".npy":
                if (key is not null)
                {
                    throw new UsageException($"{path}: an .npy file holds one array; drop '#{key}'.");
                }

                return NpyFormat.Read(path);
            case ".npz":
                {
                    var arrays = NpzFormat.Read(path);
                    if (key is null)
                    {
                        if (arrays.Count == 1)
                        {
                            return arrays.Values.First();
                        }

                        throw new UsageException($"{path}: the archive holds {arrays.Count} arrays; choose one with FILE#KEY (keys: {string.Join(", ", arrays.Keys.Order(StringComparer.Ordinal))}).");
                    }

                    if (!arrays.TryGetValue(key, out var array))
                    {
                        throw new UsageException($"{path}: no array '{key}'; keys: {string.Join(", ", arrays.Keys.Order(StringComparer.Ordinal))}.");
                    }

                    return array;
                }

            case ".csv" or ".tsv" or ".txt":
                {
                    return key is null ? CsvFormat.Read(path).Values : CsvFormat.Read(path, ColumnNames(key)).Values;
                }

            case ".parquet":
                return ParquetFormat.Read(path, key is null ? null : ColumnNames(key), options.EffectiveMaxBytes).Values;
            case ".h5ad" or ".h5" or ".hdf5":
                {
                    if (string.IsNullOrWhiteSpace(key))
                    {
                        var entries = AnnDataFormat.Entries(path);
                        throw new UsageException(
                            $"{path}: choose an array with FILE#KEY, for example {path}#obsm/spatial; arrays: "
                            + (entries.Count == 0 ? "(none)" : string.Join(", ", entries.Select(e => $"{e.Key} {e.ShapeString()}"))) + ".");
                    }

                    return AnnDataFormat.Read(path, key, options.EffectiveMaxBytes);
                }

            default:
                throw new UsageException($"{path}: unknown file type '{Extension(path)}' (expected {InputTypes}).");
        }
    }

    private static string Extension(string path) => Path.GetExtension(path).ToLowerInvariant();

    private static string[] ColumnNames(string key) => key.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string Plural(int count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
