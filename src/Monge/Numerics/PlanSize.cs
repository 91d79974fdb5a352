using System.Numerics;
using System.Runtime.CompilerServices;

namespace Monge.Numerics;

/// <summary>
/// The one size guard for materializing an n × m matrix (a cost matrix or a transport plan): every <c>ToDense</c> in
/// Monge calls <see cref="EnsureDense{T}"/> with the same default limit, so they refuse the same sizes with the same
/// message.
/// </summary>
public static class PlanSize
{
    /// <summary>The default limit on materialized entries: 10⁸ (800 MB in float64, 400 MB in float32).</summary>
    public const long DefaultMaxEntries = 100_000_000;

    /// <summary>Returns n·m, or throws when that many entries exceed <paramref name="maxEntries"/> or the largest array.</summary>
    /// <typeparam name="T">The element type (its size goes into the message).</typeparam>
    /// <param name="rows">n.</param>
    /// <param name="cols">m.</param>
    /// <param name="maxEntries">The caller's limit.</param>
    /// <param name="what">What would be materialized, for the message (for example "cost matrix" or "plan").</param>
    /// <returns>The number of entries n·m.</returns>
    /// <exception cref="InvalidOperationException">n·m exceeds <paramref name="maxEntries"/> or <see cref="Array.MaxLength"/>; the message says how much memory it would take.</exception>
    public static long EnsureDense<T>(int rows, int cols, long maxEntries, string what)
        where T : unmanaged, INumberBase<T>
    {
        var entries = (long)rows * cols;
        if (entries > maxEntries || entries > Array.MaxLength)
        {
            var mib = entries * Unsafe.SizeOf<T>() / (1 << 20);
            throw new InvalidOperationException(
                $"Refusing to materialize a {rows} × {cols} {what} ({entries:N0} entries, {mib:N0} MiB); the limit is {Math.Min(maxEntries, Array.MaxLength):N0} entries. Use the online products (ApplyPlan, ApplyCost) instead, or raise maxEntries if you really need it.");
        }

        return entries;
    }
}
