using Monge.Distributed.Storage;

namespace Monge.Distributed.Tests;

public sealed class DirectoryBlockStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "monge-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task PutGet_RoundTrip_ReturnsTheBytes()
    {
        var store = new DirectoryBlockStore(_root);
        byte[] data = [1, 2, 3, 250, 0, 7];
        await store.PutAsync("jobs/a/b.c", data);
        Assert.Equal(data, await store.GetAsync("jobs/a/b.c"));
        Assert.True(await store.ExistsAsync("jobs/a/b.c"));
        await store.PutAsync("jobs/a/b.c", new byte[] { 9 });
        Assert.Equal([9], await store.GetAsync("jobs/a/b.c"));
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Get_FlippedByte_ThrowsCorruptNamingTheKey()
    {
        var store = new DirectoryBlockStore(_root);
        await store.PutAsync("jobs/x/source", new byte[1000]);
        var path = store.PathOf("jobs/x/source");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^10] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);
        var ex = await Assert.ThrowsAsync<BlockCorruptException>(async () => await store.GetAsync("jobs/x/source"));
        Assert.Equal("jobs/x/source", ex.Key);
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_TruncatedFile_ThrowsCorrupt()
    {
        var store = new DirectoryBlockStore(_root);
        await store.PutAsync("k", new byte[100]);
        var path = store.PathOf("k");
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..^1]);
        await Assert.ThrowsAsync<BlockCorruptException>(async () => await store.GetAsync("k"));
        await File.WriteAllBytesAsync(path, bytes[..20]);
        await Assert.ThrowsAsync<BlockCorruptException>(async () => await store.GetAsync("k"));
    }

    [Fact]
    public async Task Get_MissingKey_ThrowsNotFound()
    {
        var store = new DirectoryBlockStore(_root);
        var ex = await Assert.ThrowsAsync<BlockNotFoundException>(async () => await store.GetAsync("jobs/none/source"));
        Assert.Equal("jobs/none/source", ex.Key);
        Assert.IsAssignableFrom<IOException>(ex);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a//b")]
    [InlineData("a/b c")]
    [InlineData("")]
    public async Task Put_BadKey_ThrowsArgument(string key)
    {
        var store = new DirectoryBlockStore(_root);
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.PutAsync(key, new byte[1]));
    }

    [Fact]
    public async Task ReadInto_RoundTripAndWrongLength_SameChecksAsGet()
    {
        var store = new DirectoryBlockStore(_root);
        byte[] data = [5, 6, 7, 8, 9];
        await store.PutAsync("jobs/r/page", data);
        var buffer = new byte[8];
        await store.ReadAsync("jobs/r/page", buffer.AsMemory(1, 5));
        Assert.Equal<byte>([0, 5, 6, 7, 8, 9, 0, 0], buffer);

        var wrong = await Assert.ThrowsAsync<BlockCorruptException>(async () => await store.ReadAsync("jobs/r/page", new byte[4]));
        Assert.Equal("jobs/r/page", wrong.Key);
        await Assert.ThrowsAsync<BlockNotFoundException>(async () => await store.ReadAsync("jobs/r/none", new byte[5]));

        var path = store.PathOf("jobs/r/page");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
        var corrupt = await Assert.ThrowsAsync<BlockCorruptException>(async () => await store.ReadAsync("jobs/r/page", new byte[5]));
        Assert.Contains("checksum", corrupt.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadInto_DefaultMethod_CopiesWhatGetReturns()
    {
        // A store that implements only GetAsync (as an object store might) gets IBlockStore's default ReadAsync.
        IBlockStore store = new GetOnlyStore(new DirectoryBlockStore(_root));
        await store.PutAsync("k", new byte[] { 1, 2, 3 });
        var buffer = new byte[3];
        await store.ReadAsync("k", buffer);
        Assert.Equal<byte>([1, 2, 3], buffer);
        var ex = await Assert.ThrowsAsync<BlockCorruptException>(async () => await store.ReadAsync("k", new byte[2]));
        Assert.Equal("k", ex.Key);
    }

    [Fact]
    public async Task AsBytes_SegmentOfDoubles_WritesTheSameBlockAsACopy()
    {
        // The client writes its points from their own memory: the stored block must be the copy's, byte for byte, for a
        // segment that starts inside its array, and pinning it must point at the segment's first byte.
        var store = new DirectoryBlockStore(_root);
        var values = new double[] { 9.5, -1.25, 3e300, double.Epsilon, 0.0, -0.0, 42.0 };
        var segment = new ReadOnlyMemory<double>(values, 2, 4);
        var view = BlockCodec.AsBytes(segment);
        await store.PutAsync("jobs/p/view", view);
        await store.PutAsync("jobs/p/copy", BlockCodec.FromDoubles(segment.Span));
        Assert.Equal(await store.GetAsync("jobs/p/copy"), await store.GetAsync("jobs/p/view"));
        Assert.Equal(4 * sizeof(double), view.Length);
        using var pinned = view.Pin();
        unsafe
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(3e300), *(long*)pinned.Pointer);
        }
    }

    private sealed class GetOnlyStore(DirectoryBlockStore inner) : IBlockStore
    {
        public string Location => inner.Location;

        public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => inner.PutAsync(key, data, cancellationToken);

        public ValueTask<byte[]> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
    }
}
