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

        // One buffer for every page (the first is the largest): the pages are 4–5 MB each, large-object garbage that the
        // GC would keep until its next full collection if each had its own array.
        var buffer = new byte[(long)Math.Min(PageRows, rows) * RowBytes(r)];
        for (var p = 0; p < Pages(rows); p++)
        {
            var start = p * PageRows;
            var count = Math.Min(PageRows, rows - start);
            var bytes = buffer.AsMemory(0, count * RowBytes(r));
            var at = 0;
            MemoryMarshal.AsBytes(run.Keys.AsSpan(start, count)).CopyTo(bytes.Span);
            at += count * sizeof(double);
            MemoryMarshal.AsBytes(run.Indices.AsSpan(start, count)).CopyTo(bytes.Span[at..]);
            at += count * sizeof(int);
            MemoryMarshal.AsBytes(run.Rows.AsSpan(start * r, count * r)).CopyTo(bytes.Span[at..]);
            await store.PutAsync(Key(prefix, side, p), bytes).ConfigureAwait(false);
            written += bytes.Length;
        }

        return written;
    }

    /// <summary>The bytes of a page row: its key (float64), block row index (int32) and r logits (float32).</summary>
    /// <param name="r">Clusters.</param>
    public static int RowBytes(int r) => sizeof(double) + sizeof(int) + (r * sizeof(float));

    /// <summary>Decodes a page into <paramref name="page"/>'s arrays (their lengths give the rows it must hold).</summary>
    /// <param name="key">Its key (for the error).</param>
    /// <param name="bytes">Its bytes.</param>
    /// <param name="page">The page to fill.</param>
    /// <param name="r">Clusters.</param>
    public static void DecodeInto(string key, ReadOnlySpan<byte> bytes, MarginPage page, int r)
    {
        var count = page.Keys.Length;
        var expected = (long)count * RowBytes(r);
        if (bytes.Length != expected)
        {
            throw new BlockCorruptException(key, $"Sorted run page '{key}' has {bytes.Length} bytes, expected {expected}.");
        }

        var at = 0;
        bytes.Slice(at, count * sizeof(double)).CopyTo(MemoryMarshal.AsBytes(page.Keys.AsSpan()));
        at += count * sizeof(double);
        bytes.Slice(at, count * sizeof(int)).CopyTo(MemoryMarshal.AsBytes(page.Indices.AsSpan()));
        at += count * sizeof(int);
        bytes[at..].CopyTo(MemoryMarshal.AsBytes(page.Rows.AsSpan()));
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
    /// thread, never grain code). A page is valid until the next <see cref="NextPage"/> call: the run reads every page
    /// into one buffer and decodes it into one page's arrays (the merge is done with a run's page when it asks for the
    /// next), so the coordinator's merge allocates two pages per shard, not two per page read (at 10 M points on 3
    /// shards, 3 GB of large-object garbage otherwise).</summary>
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
        private byte[]? _buffer;
        private MarginPage? _decoded;

        /// <inheritdoc/>
        public MarginPage? NextPage()
        {
            if (_page == Pages(rows))
            {
                return null;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var key = Key(prefix, side, _page);
            var count = Math.Min(PageRows, rows - (_page * PageRows));
            var length = count * RowBytes(r);
            _buffer ??= new byte[length];
            var bytes = _buffer.AsMemory(0, length);
            store.ReadAsync(key, bytes, cancellationToken).AsTask().GetAwaiter().GetResult();
            if (_decoded is null || _decoded.Keys.Length != count)
            {
                _decoded = new MarginPage(new double[count], new int[count], new float[count * r]);
            }

            DecodeInto(key, bytes.Span, _decoded, r);
            _page++;
            read(length, clock.Elapsed.TotalSeconds);
            return _decoded;
        }
    }
}
