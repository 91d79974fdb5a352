namespace Monge.IO.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monge-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_FailureMidway_LeavesExistingFileAndNoTemporaries()
    {
        var path = Path.Combine(_dir, "keep.npy");
        File.WriteAllText(path, "precious");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("precious", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_NoOverwrite_RefusesExistingFile()
    {
        var path = Path.Combine(_dir, "exists.csv");
        File.WriteAllText(path, "old");
        var ex = Assert.Throws<IOException>(() => AtomicFile.Write(path, s => s.WriteByte(1), overwrite: false));
        Assert.Contains("exists", ex.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void Write_Overwrite_ReplacesContent()
    {
        var path = Path.Combine(_dir, "x.bin");
        File.WriteAllText(path, "old");
        AtomicFile.Write(path, s => s.Write("new"u8));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_MissingFolder_ThrowsDirectoryNotFound()
    {
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(Path.Combine(_dir, "no", "x.bin"), s => s.WriteByte(1)));
    }
}
