using System.Globalization;
using Monge.Datasets;
using Monge.IO;

namespace Monge.Testing;

/// <summary>
/// Writes a <see cref="SpatialSlices"/> pair as two AnnData files, as a spatial-transcriptomics user would have them:
/// <c>obsm/spatial</c> (µm), <c>obsm/X_pca</c> (the expression embedding), <c>obs/cell_type</c> (categorical) and, in the
/// source file, <c>obsm/spatial_target_frame</c> (the ground-truth position of each source cell in the target's frame).
/// Shared by the CLI tests and the alignment benchmark.
/// </summary>
public static class SpatialSliceFiles
{
    /// <summary>Writes the two files (overwriting).</summary>
    /// <param name="pair">The slices.</param>
    /// <param name="sourcePath">Source .h5ad.</param>
    /// <param name="targetPath">Target .h5ad.</param>
    public static void Write(SpatialSlicePair pair, string sourcePath, string targetPath)
    {
        ArgumentNullException.ThrowIfNull(pair);
        Write(sourcePath, "s1", pair.SourceCoordinates, pair.SourceTypes, pair.SourceFeatures, pair.FeatureDimension, pair.ToTargetFrame());
        Write(targetPath, "s2", pair.TargetCoordinates, pair.TargetTypes, pair.TargetFeatures, pair.FeatureDimension, null);
    }

    private static void Write(string path, string prefix, double[] coordinates, int[] types, double[] features, int d, double[]? truth)
    {
        var n = types.Length;
        var names = Enumerable.Range(0, n).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}_cell{i}")).ToArray();
        var additions = new AnnDataAdditions()
            .ObsCategorical("cell_type", types.Select(t => (string?)SpatialSlices.CellTypes[t]).ToArray())
            .Obsm("spatial", coordinates, 2)
            .Obsm("X_pca", features, d);
        if (truth is not null)
        {
            additions.Obsm("spatial_target_frame", truth, 2);
        }

        AnnDataWriter.Write(path, names, additions, overwrite: true);
    }
}
