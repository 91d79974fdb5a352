using Monge.Numerics;

namespace Monge.Datasets;

/// <summary>
/// Two synthetic spatial-transcriptomics slices of one tissue (the example of issue 13): cells in micrometres inside an
/// irregular tissue outline, laid out in curved layers plus a nodule (the "domains"), each domain with its own mix of
/// cell types, each cell with a 30-D expression embedding (a PCA-like feature: a per-type mean plus noise and a small
/// batch shift between slices). The second slice is an independent sample of the same tissue, with a band of cells
/// missing, smoothly deformed, then rotated, optionally mirrored and shifted into another frame. The ground truth
/// <see cref="SpatialSlicePair.ToTargetFrame"/> maps any source position into the target frame, so alignment error
/// and label-transfer accuracy can be measured.
/// </summary>
public static class SpatialSlices
{
    /// <summary>Names of the cell types, in label order.</summary>
    public static IReadOnlyList<string> CellTypes { get; } = ["neuron_L1", "neuron_L2", "neuron_L3", "astrocyte", "oligodendrocyte", "immune"];

    /// <summary>Tissue size in micrometres (the outline fits in [0, Size]²).</summary>
    public const double Size = 3000;

    /// <summary>Generates the pair.</summary>
    /// <param name="sourceCells">Cells in the first slice (at least 10).</param>
    /// <param name="targetCells">Cells drawn for the second slice before the missing band is removed (at least 10).</param>
    /// <param name="seed">Seed of every random choice.</param>
    /// <param name="rotationDegrees">Rotation of the second slice about the tissue centre.</param>
    /// <param name="mirror">Whether the second slice is also mirrored (flipped over the vertical axis).</param>
    /// <param name="featureDimension">Dimension of the expression embedding (30 by default).</param>
    /// <exception cref="InputValidationException">Too few cells or a dimension below 2.</exception>
    public static SpatialSlicePair Generate(int sourceCells, int targetCells, int seed, double rotationDegrees = 35, bool mirror = true, int featureDimension = 30)
    {
        if (sourceCells < 10 || targetCells < 10)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Each slice needs at least 10 cells (got {sourceCells} and {targetCells}).", nameof(sourceCells));
        }

        if (featureDimension < 2)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The feature dimension must be at least 2 (got {featureDimension}).", nameof(featureDimension));
        }

        var rng = new Random(seed);
        var types = CellTypes.Count;
        var means = new double[types * featureDimension];
        for (var k = 0; k < means.Length; k++)
        {
            means[k] = 3.0 * rng.NextGaussian();
        }

        var (xs, ts) = Sample(rng, sourceCells);
        var (yraw, tt) = Sample(rng, targetCells);

        // Missing cells: a band across the second slice (about 15% of the tissue) is absent.
        var keep = new List<int>();
        for (var j = 0; j < targetCells; j++)
        {
            var (u, v) = (yraw[2 * j], yraw[(2 * j) + 1]);
            if (!(u + (0.6 * v) > 2700 && u + (0.6 * v) < 3200))
            {
                keep.Add(j);
            }
        }

        var m = keep.Count;
        var transform = new SliceTransform(rotationDegrees, mirror, 1200, -400);
        var yt = new double[2 * m];
        var targetTypes = new int[m];
        var truth = new double[2 * m];
        for (var k = 0; k < m; k++)
        {
            var j = keep[k];
            truth[2 * k] = yraw[2 * j];
            truth[(2 * k) + 1] = yraw[(2 * j) + 1];
            var (u, v) = transform.Apply(yraw[2 * j], yraw[(2 * j) + 1]);
            yt[2 * k] = u;
            yt[(2 * k) + 1] = v;
            targetTypes[k] = tt[j];
        }

        var fs = Features(rng, ts, means, featureDimension, 0.0);
        var ft = Features(rng, targetTypes, means, featureDimension, 0.2);
        return new SpatialSlicePair(xs, ts, fs, yt, targetTypes, ft, featureDimension, truth, transform);
    }

    private static (double[] Points, int[] Types) Sample(Random rng, int n)
    {
        var points = new double[2 * n];
        var types = new int[n];
        var count = 0;
        while (count < n)
        {
            var u = Size * rng.NextDouble();
            var v = Size * rng.NextDouble();
            if (!InTissue(u, v))
            {
                continue;
            }

            points[2 * count] = u;
            points[(2 * count) + 1] = v;
            types[count] = CellType(rng, Domain(u, v));
            count++;
        }

        return (points, types);
    }

    /// <summary>An irregular outline: an ellipse with a bite out of one side (no symmetry, so the frame is identifiable).</summary>
    private static bool InTissue(double u, double v)
    {
        var e = Sq((u - 1500) / 1400) + Sq((v - 1500) / 1150);
        var bite = Sq(u - 2600) + Sq(v - 2300) < Sq(550);
        return e < 1 && !bite;
    }

    /// <summary>Domains: four curved layers across the tissue and a nodule.</summary>
    private static int Domain(double u, double v)
    {
        if (Sq(u - 900) + Sq(v - 1900) < Sq(280))
        {
            return 4;
        }

        var depth = v + (180 * Math.Sin(2 * Math.PI * u / 2600));
        return Math.Clamp((int)(depth / 750), 0, 3);
    }

    /// <summary>Each domain has a dominant type (75%) and a background mix.</summary>
    private static int CellType(Random rng, int domain)
    {
        int[] dominant = [0, 1, 2, 4, 5];
        if (rng.NextDouble() < 0.75)
        {
            return dominant[domain];
        }

        return rng.NextDouble() < 0.6 ? 3 : rng.Next(CellTypes.Count);
    }

    private static double[] Features(Random rng, int[] types, double[] means, int d, double batch)
    {
        var f = new double[types.Length * d];
        for (var i = 0; i < types.Length; i++)
        {
            for (var l = 0; l < d; l++)
            {
                f[(i * d) + l] = means[(types[i] * d) + l] + rng.NextGaussian() + batch;
            }
        }

        return f;
    }

    private static double Sq(double x) => x * x;
}

/// <summary>The rigid transform (rotation about the tissue centre, optional mirror, shift) of the second slice.</summary>
/// <param name="RotationDegrees">Rotation angle.</param>
/// <param name="Mirror">Whether the x coordinate is flipped about the centre before rotating.</param>
/// <param name="ShiftX">Shift in µm after rotating.</param>
/// <param name="ShiftY">Shift in µm after rotating.</param>
public sealed record SliceTransform(double RotationDegrees, bool Mirror, double ShiftX, double ShiftY)
{
    /// <summary>Maps a position of the tissue frame into the second slice's frame (deformation included).</summary>
    /// <param name="u">x in µm.</param>
    /// <param name="v">y in µm.</param>
    public (double X, double Y) Apply(double u, double v)
    {
        // Smooth deformation of about 40 µm, then the rigid motion.
        var du = 40 * Math.Sin(2 * Math.PI * v / 2000);
        var dv = 40 * Math.Cos(2 * Math.PI * u / 2500);
        var (x, y) = (u + du - 1500, v + dv - 1500);
        if (Mirror)
        {
            x = -x;
        }

        var th = RotationDegrees * Math.PI / 180;
        var (c, s) = (Math.Cos(th), Math.Sin(th));
        return ((c * x) - (s * y) + 1500 + ShiftX, (s * x) + (c * y) + 1500 + ShiftY);
    }
}

/// <summary>A pair of synthetic slices (see <see cref="SpatialSlices"/>).</summary>
/// <param name="SourceCoordinates">First slice, n × 2 row-major, µm.</param>
/// <param name="SourceTypes">Cell type of each source cell (index into <see cref="SpatialSlices.CellTypes"/>).</param>
/// <param name="SourceFeatures">n × d expression embedding.</param>
/// <param name="TargetCoordinates">Second slice, m × 2, µm, in its own frame.</param>
/// <param name="TargetTypes">Cell type of each target cell.</param>
/// <param name="TargetFeatures">m × d expression embedding.</param>
/// <param name="FeatureDimension">d.</param>
/// <param name="TargetTissueCoordinates">Each target cell's position in the tissue (= source) frame before the transform.</param>
/// <param name="Transform">The transform from the tissue frame to the target frame.</param>
public sealed record SpatialSlicePair(
    double[] SourceCoordinates,
    int[] SourceTypes,
    double[] SourceFeatures,
    double[] TargetCoordinates,
    int[] TargetTypes,
    double[] TargetFeatures,
    int FeatureDimension,
    double[] TargetTissueCoordinates,
    SliceTransform Transform)
{
    /// <summary>n.</summary>
    public int SourceCount => SourceTypes.Length;

    /// <summary>m.</summary>
    public int TargetCount => TargetTypes.Length;

    /// <summary>The true position of every source cell in the target frame (n × 2): the ground truth of an alignment.</summary>
    public double[] ToTargetFrame()
    {
        var result = new double[SourceCoordinates.Length];
        for (var i = 0; i < SourceCount; i++)
        {
            var (x, y) = Transform.Apply(SourceCoordinates[2 * i], SourceCoordinates[(2 * i) + 1]);
            result[2 * i] = x;
            result[(2 * i) + 1] = y;
        }

        return result;
    }
}
