using System.CommandLine;
using Monge.Cli.Infrastructure;

namespace Monge.Cli.Commands.Transfer;

/// <summary>
/// The options of <c>monge solve</c> and <c>monge match</c> that turn a plan into the user's answers: <c>--transfer</c>
/// (source labels), <c>--transfer-out</c> (the predicted target labels as a table) and <c>--h5ad-out</c> (a copy of the
/// target <c>.h5ad</c> with the results added). Create one, <see cref="AddTo"/> the command, read a
/// <see cref="TransferRequest"/> with <see cref="Get"/> before loading anything.
/// </summary>
public sealed class TransferOptions
{
    /// <summary>Creates the options.</summary>
    /// <param name="matching">Whether the verb makes matchings (<c>monge match</c>: <c>--h5ad-out</c> adds <c>obs/monge_match</c>).</param>
    public TransferOptions(bool matching)
    {
        Labels = new Option<string?>("--transfer")
        {
            Description = "Source labels to transfer to the target: FILE.h5ad#obs/COLUMN (categorical, string or integer), FILE.csv#COLUMN, FILE.parquet#COLUMN or an integer .npy vector, one per source row. Each target point gets the label sending it the most mass (argmax_c Σ_i P_ij [label_i = c], computed through the plan in linear memory) and a confidence (that mass / the target's incoming mass).",
        };
        Out = new Option<string?>("--transfer-out")
        {
            Description = "With --transfer: write the predicted target labels, columns id (the target's obs names for an .h5ad target, else the row), label, confidence (.csv or .parquet).",
        };
        H5adOut = new Option<string?>("--h5ad-out")
        {
            Description = "Write a copy of the target .h5ad (never modified in place) with the results added: obs/monge_label and obs/monge_confidence (with --transfer), "
                + (matching ? "obs/monge_match (the source row matched to each target row, -1 for none), " : string.Empty)
                + "obsm/monge_mapped (each target's barycentre of the source points that send it mass, Σ_i P_ij x_i / Σ_i P_ij).",
        };
    }

    /// <summary>The <c>--transfer</c> option.</summary>
    public Option<string?> Labels { get; }

    /// <summary>The <c>--transfer-out</c> option.</summary>
    public Option<string?> Out { get; }

    /// <summary>The <c>--h5ad-out</c> option.</summary>
    public Option<string?> H5adOut { get; }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Labels);
        command.Options.Add(Out);
        command.Options.Add(H5adOut);
    }

    /// <summary>Reads and checks the options before anything is loaded or solved.</summary>
    /// <param name="parse">The parse result.</param>
    /// <param name="targetSpec">The <c>--target</c> value.</param>
    /// <param name="overwrite">Whether outputs may be replaced.</param>
    /// <returns>The request (empty when no option was given).</returns>
    /// <exception cref="UsageException">An option without its partner, a wrong extension, or <c>--h5ad-out</c> without an .h5ad target.</exception>
    /// <exception cref="IOException">An output exists without <c>--overwrite</c>, or its folder is missing.</exception>
    public TransferRequest Get(ParseResult parse, string targetSpec, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(targetSpec);
        var labels = parse.GetValue(Labels);
        var output = parse.GetValue(Out);
        var h5ad = parse.GetValue(H5adOut);
        if (output is not null && labels is null)
        {
            throw new UsageException("--transfer-out needs --transfer SOURCE_LABELS (for example --transfer cells.h5ad#obs/cell_type).");
        }

        if (labels is not null && output is null && h5ad is null)
        {
            throw new UsageException("--transfer needs --transfer-out FILE (.csv or .parquet) or --h5ad-out FILE.h5ad to write the labels to.");
        }

        if (output is not null)
        {
            if (Path.GetExtension(output).ToLowerInvariant() is not (".csv" or ".parquet"))
            {
                throw new UsageException($"--transfer-out {output}: expected a .csv or .parquet file.");
            }

            DataFiles.CheckNewFile(output, overwrite);
        }

        if (h5ad is not null)
        {
            var (targetPath, _) = DataFiles.SplitSpec(targetSpec);
            if (!string.Equals(Path.GetExtension(targetPath), ".h5ad", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--h5ad-out copies the target .h5ad, but --target is {targetPath}; use --transfer-out for other inputs.");
            }

            if (!string.Equals(Path.GetExtension(h5ad), ".h5ad", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--h5ad-out {h5ad}: expected an .h5ad file.");
            }

            if (string.Equals(Path.GetFullPath(h5ad), Path.GetFullPath(targetPath), StringComparison.Ordinal))
            {
                throw new UsageException($"--h5ad-out {h5ad} is the target file itself; the input is never modified in place, choose another path.");
            }

            DataFiles.CheckNewFile(h5ad, overwrite);
        }

        return new TransferRequest(labels, output, h5ad, overwrite);
    }
}
