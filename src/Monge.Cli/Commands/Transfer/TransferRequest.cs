using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
using Monge.IO;
using Monge.Solvers;
using Monge.Tools;

namespace Monge.Cli.Commands.Transfer;

/// <summary>
/// What <see cref="TransferOptions"/> asked for, and the work it does around a solve: <see cref="Prepare"/> reads and checks
/// the labels once the points are loaded (before solving), <see cref="Write"/> turns the plan into the outputs.
/// </summary>
/// <param name="LabelsSpec">The <c>--transfer</c> value, or null.</param>
/// <param name="OutPath">The <c>--transfer-out</c> path, or null.</param>
/// <param name="H5adOut">The <c>--h5ad-out</c> path, or null.</param>
/// <param name="Overwrite">Whether outputs may be replaced.</param>
public sealed record TransferRequest(string? LabelsSpec, string? OutPath, string? H5adOut, bool Overwrite)
{
    private string?[]? _labels;

    /// <summary>Whether no output was asked for.</summary>
    public bool IsEmpty => LabelsSpec is null && H5adOut is null;

    /// <summary>Reads the labels and checks there is one per source row (before solving).</summary>
    /// <param name="source">The loaded source points (labels follow the rows it kept).</param>
    /// <exception cref="UsageException">A number of labels that is not the number of source rows, or no labels at all.</exception>
    public void Prepare(LoadedPoints source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (LabelsSpec is null)
        {
            return;
        }

        var all = LabelSource.Read(LabelsSpec);
        var rows = source.Count + source.DroppedRows;
        if (all.Length != rows)
        {
            throw new UsageException($"--transfer {LabelsSpec}: {all.Length} labels, but --source {source.Spec} has {rows} rows (one label per source row).");
        }

        _labels = source.KeptRows.Select(r => all[r]).ToArray();
        if (_labels.All(l => l is null))
        {
            throw new UsageException($"--transfer {LabelsSpec}: every label is missing.");
        }
    }

    /// <summary>Writes the outputs from the plan and adds their fields to the JSON summary.</summary>
    /// <param name="plan">The solver's plan (n × m over the kept rows).</param>
    /// <param name="source">The loaded source points.</param>
    /// <param name="target">The loaded target points.</param>
    /// <param name="matchedSource">For a matching, the source index matched to each target point (−1 for none), or null.</param>
    /// <param name="summary">The JSON summary to extend.</param>
    /// <param name="context">Writers (a warning goes to stderr when targets get no label and <paramref name="json"/> is off).</param>
    /// <param name="json">Whether the run prints JSON.</param>
    public void Write(ITransportPlan<double> plan, LoadedPoints source, LoadedPoints target, int[]? matchedSource, JsonObject summary, CliContext context, bool json)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(context);
        if (IsEmpty)
        {
            return;
        }

        var (targetPath, _) = DataFiles.SplitSpec(target.Spec);
        LabelTransferResult? prediction = null;
        if (_labels is not null)
        {
            prediction = LabelTransfer.Predict(plan, _labels);
            var labelled = prediction.Confidence.Where(double.IsFinite).ToArray();
            summary["transfer_labels"] = prediction.Categories.Count;
            summary["transfer_unlabelled"] = prediction.Unlabelled;
            summary["transfer_mean_confidence"] = labelled.Length > 0 ? labelled.Average() : null;
            if (prediction.Unlabelled > 0 && !json)
            {
                context.Error.WriteLine($"warning: {prediction.Unlabelled} of {prediction.Count} target points receive no mass from labelled sources; their label is empty and their confidence NaN.");
            }
        }

        if (OutPath is not null && prediction is not null)
        {
            var ids = DataFiles.IsHdf5(target.Spec) && string.Equals(Path.GetExtension(targetPath), ".h5ad", StringComparison.OrdinalIgnoreCase)
                ? AnnDataFormat.ReadObsNames(targetPath) is var names && names.Length == target.Count + target.DroppedRows
                    ? target.KeptRows.Select(r => names[r]).ToArray()
                    : throw new UsageException($"--target {targetPath}: {names.Length} obs names for {target.Count + target.DroppedRows} rows of {target.Spec}.")
                : target.KeptRows.Select(r => r.ToString(CultureInfo.InvariantCulture)).ToArray();
            TableColumn[] columns = [TableColumn.Text("id", ids), TableColumn.Text("label", prediction.Labels()), TableColumn.Number("confidence", prediction.Confidence)];
            if (OutPath.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            {
                ParquetFormat.WriteTable(OutPath, columns, Overwrite);
            }
            else
            {
                CsvFormat.WriteTable(OutPath, columns, Overwrite);
            }

            summary["transfer_out"] = OutPath;
        }

        if (H5adOut is not null)
        {
            WriteH5ad(targetPath, plan, source, target, prediction, matchedSource);
            summary["h5ad_out"] = H5adOut;
        }
    }

    private void WriteH5ad(string targetPath, ITransportPlan<double> plan, LoadedPoints source, LoadedPoints target, LabelTransferResult? prediction, int[]? matchedSource)
    {
        var rows = target.Count + target.DroppedRows;
        var additions = new AnnDataAdditions();
        if (prediction is not null)
        {
            // Rows dropped by --drop-nonfinite get no label and NaN.
            var labels = new string?[rows];
            var confidence = Enumerable.Repeat(double.NaN, rows).ToArray();
            for (var j = 0; j < target.Count; j++)
            {
                labels[target.KeptRows[j]] = prediction.Label(j);
                confidence[target.KeptRows[j]] = prediction.Confidence[j];
            }

            additions.ObsCategorical("monge_label", labels).ObsNumbers("monge_confidence", confidence);
        }

        if (matchedSource is not null)
        {
            var match = Enumerable.Repeat(-1L, rows).ToArray();
            for (var j = 0; j < target.Count; j++)
            {
                match[target.KeptRows[j]] = matchedSource[j] < 0 ? -1 : source.KeptRows[matchedSource[j]];
            }

            additions.ObsIntegers("monge_match", match);
        }

        // Each target's barycentre of the source points: (Pᵀ X)_j / (Pᵀ 1)_j, NaN without incoming mass.
        var d = source.Dimension;
        var carried = plan.ApplyPlan(source.Cloud.Data, d, Axis.Columns);
        var incoming = plan.TargetMarginal;
        var mapped = Enumerable.Repeat(double.NaN, rows * d).ToArray();
        for (var j = 0; j < target.Count; j++)
        {
            if (incoming[j] > 0)
            {
                for (var k = 0; k < d; k++)
                {
                    mapped[(target.KeptRows[j] * d) + k] = carried[(j * d) + k] / incoming[j];
                }
            }
        }

        additions.Obsm("monge_mapped", mapped, d);
        AnnDataCopy.Write(targetPath, H5adOut!, additions, Overwrite);
    }
}
