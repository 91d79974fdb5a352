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
}
