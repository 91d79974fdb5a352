using Monge.IO;

namespace Monge.Cli.Infrastructure;

/// <summary>How <see cref="DataFiles"/> loads inputs: what to do with non-finite rows and how much memory one array may take.</summary>
/// <param name="DropNonFinite">Drop rows with a NaN or infinity (in the points or their weights) instead of failing.</param>
/// <param name="MaxBytes">The largest dense array to build (sparse AnnData matrices are densified); 0 means
/// <see cref="DataSizes.DefaultMaxBytes"/>.</param>
/// <param name="OffersDrop">Whether the verb has <c>--drop-nonfinite</c> (<see cref="InputOptions"/>): the error for a non-finite
/// row names the flag only then, so a verb without it never suggests a flag it would reject.</param>
public sealed record DataLoadOptions(bool DropNonFinite = false, long MaxBytes = 0, bool OffersDrop = false)
{
    /// <summary>Fail on non-finite rows; default memory limit.</summary>
    public static DataLoadOptions Default { get; } = new();

    /// <summary>The effective memory limit in bytes.</summary>
    public long EffectiveMaxBytes => MaxBytes > 0 ? MaxBytes : DataSizes.DefaultMaxBytes;
}
