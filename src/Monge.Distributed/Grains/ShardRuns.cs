using System.Runtime.InteropServices;
using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Grains;

/// <summary>
/// A shard's sorted runs in the store (the hard split of a sharded level without gathering the logits): per side, the
/// shard's rows in the margin greedy's order (<see cref="CapacitySplit.SortedRun"/>), cut in pages of
/// <see cref="PageRows"/> rows, each one block <c>{prefix}{side}.{page}</c>: the rows' keys (float64), block row
/// indices (int32) and logits (r float32 a row), little-endian. The coordinator reads one page per shard at a time
/// (<see cref="StoreRun"/>), so it holds S pages instead of the block's 2·m·r logits.
/// </summary>
internal static class ShardRuns
{
    /// <summary>Rows per page (4.2 MB a page at r = 16).</summary>
    public const int PageRows = 65536;

    /// <summary>The pages of a run of <paramref name="rows"/> rows.</summary>
    /// <param name="rows">The shard's rows.</param>
    public static int Pages(int rows) => (rows + PageRows - 1) / PageRows;

    /// <summary>The store key of a page.</summary>
    /// <param name="prefix">The shard's run prefix (<see cref="HiRefKeys.Shard"/> with part "run").</param>
    /// <param name="side">0 for Q, 1 for R.</param>
    /// <param name="page">The page.</param>
    public static string Key(string prefix, int side, int page) => $"{prefix}{side}.{page}";

    /// <summary>Writes a side's run, page by page; returns the bytes written.</summary>
    /// <param name="store">The store.</param>
    /// <param name="prefix">The key prefix.</param>
    /// <param name="side">The side.</param>
    /// <param name="run">The run (<see cref="CoClusteringShard.SortedRun"/>).</param>
    /// <param name="r">Clusters.</param>
    public static async Task<long> WriteAsync(IBlockStore store, string prefix, int side, MarginPage run, int r)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The block store's sorted runs are little-endian.");
        }

        var rows = run.Keys.Length;
        long written = 0;
        for (var p = 0; p < Pages(rows); p++)
        {
            var start = p * PageRows;
            var count = Math.Min(PageRows, rows - start);
            var bytes = new byte[count * (sizeof(double) + sizeof(int) + (r * sizeof(float)))];
            var at = 0;
            MemoryMarshal.AsBytes(run.Keys.AsSpan(start, count)).CopyTo(bytes);
            at += count * sizeof(double);
            MemoryMarshal.AsBytes(run.Indices.AsSpan(start, count)).CopyTo(bytes.AsSpan(at));
            at += count * sizeof(int);
            MemoryMarshal.AsBytes(run.Rows.AsSpan(start * r, count * r)).CopyTo(bytes.AsSpan(at));
            await store.PutAsync(Key(prefix, side, p), bytes).ConfigureAwait(false);
            written += bytes.Length;
        }

        return written;
    }

    /// <summary>Decodes a page of <paramref name="count"/> rows.</summary>
    /// <param name="key">Its key (for the error).</param>
    /// <param name="bytes">Its bytes.</param>
    /// <param name="count">The rows it must hold.</param>
    /// <param name="r">Clusters.</param>
    public static MarginPage Decode(string key, byte[] bytes, int count, int r)
    {
        var expected = (long)count * (sizeof(double) + sizeof(int) + (r * sizeof(float)));
        if (bytes.Length != expected)
        {
            throw new BlockCorruptException(key, $"Sorted run page '{key}' has {bytes.Length} bytes, expected {expected}.");
        }

        var page = new MarginPage(new double[count], new int[count], new float[count * r]);
        var at = 0;
        bytes.AsSpan(at, count * sizeof(double)).CopyTo(MemoryMarshal.AsBytes(page.Keys.AsSpan()));
        at += count * sizeof(double);
        bytes.AsSpan(at, count * sizeof(int)).CopyTo(MemoryMarshal.AsBytes(page.Indices.AsSpan()));
        at += count * sizeof(int);
        bytes.AsSpan(at).CopyTo(MemoryMarshal.AsBytes(page.Rows.AsSpan()));
        return page;
    }

    /// <summary>Removes the pages of a shard's runs (both sides), page 0 on until one is missing (pages are written in
    /// order, so a run stopped mid-write leaves a prefix).</summary>
    /// <param name="store">The store.</param>
    /// <param name="prefix">The key prefix.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    public static async Task RemoveAsync(IBlockStore store, string prefix, CancellationToken cancellationToken)
    {
        for (var side = 0; side < 2; side++)
        {
            for (var p = 0; await store.ExistsAsync(Key(prefix, side, p), cancellationToken).ConfigureAwait(false); p++)
            {
                await store.DeleteAsync(Key(prefix, side, p), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A shard's run read from the store a page at a time (on the calling thread: the level's thread-pool
    /// thread, never grain code).</summary>
    /// <param name="store">The store.</param>
    /// <param name="prefix">The shard's run prefix.</param>
    /// <param name="side">The side.</param>
    /// <param name="rows">The shard's rows.</param>
    /// <param name="r">Clusters.</param>
    /// <param name="read">Called with each page's bytes and seconds.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    internal sealed class StoreRun(IBlockStore store, string prefix, int side, int rows, int r, Action<long, double> read, CancellationToken cancellationToken) : IMarginRun
    {
        private int _page;

        /// <inheritdoc/>
        public MarginPage? NextPage()
        {
            if (_page == Pages(rows))
            {
                return null;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var key = Key(prefix, side, _page);
            var bytes = store.GetAsync(key, cancellationToken).AsTask().GetAwaiter().GetResult();
            var page = Decode(key, bytes, Math.Min(PageRows, rows - (_page * PageRows)), r);
            _page++;
            read(bytes.Length, clock.Elapsed.TotalSeconds);
            return page;
        }
    }
}
