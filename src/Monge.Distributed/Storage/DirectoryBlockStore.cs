using System.Buffers.Binary;
using System.Security.Cryptography;
using Monge.IO;

namespace Monge.Distributed.Storage;

/// <summary>
/// An <see cref="IBlockStore"/> in a directory that every silo can read and write (a local folder for one host, a
/// shared file system for several). A block is one file, <c>ROOT/key.blk</c>: a 48-byte header (the magic
/// <c>MONGEBK1</c>, the content length as a little-endian int64, the SHA-256 of the content) and the content. Writes go
/// to a temporary file in the same folder, flushed, then renamed over the destination (<see cref="AtomicFile"/>).
/// </summary>
public sealed class DirectoryBlockStore : IBlockStore
{
    private const int HeaderBytes = 48;
    private static readonly byte[] Magic = "MONGEBK1"u8.ToArray();

    /// <summary>Opens (and creates if needed) a store in <paramref name="root"/>.</summary>
    /// <param name="root">The folder.</param>
    public DirectoryBlockStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The store's folder.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public string Location => Root;

    /// <summary>The file that holds a block.</summary>
    /// <param name="key">The block's key.</param>
    public string PathOf(string key) => Path.Combine(Root, CheckKey(key).Replace('/', Path.DirectorySeparatorChar) + ".blk");

    /// <inheritdoc/>
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), data.Length);
        SHA256.HashData(data.Span, header.AsSpan(16));
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            stream.Write(data.Span);
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        byte[] file;
        try
        {
            file = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlockNotFoundException(key, $"Block '{key}' is missing from the store {Root} (expected {path}).");
        }

        if (file.Length < HeaderBytes || !file.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new BlockCorruptException(key, $"Block '{key}' in the store {Root} ({path}) has no valid header ({file.Length} bytes).");
        }

        var length = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8));
        if (length != file.Length - HeaderBytes)
        {
            throw new BlockCorruptException(key, $"Block '{key}' in the store {Root} ({path}) is truncated or padded: the header says {length} bytes, the file holds {file.Length - HeaderBytes}.");
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(file.AsSpan(HeaderBytes), hash);
        if (!hash.SequenceEqual(file.AsSpan(16, 32)))
        {
            throw new BlockCorruptException(key, $"Block '{key}' in the store {Root} ({path}) is corrupt: its content does not match its SHA-256 checksum.");
        }

        return file.AsSpan(HeaderBytes).ToArray();
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(File.Exists(PathOf(key)));

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(key));
        return ValueTask.CompletedTask;
    }

    private static string CheckKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (var part in key.Split('/'))
        {
            if (part.Length == 0 || part is "." or ".." || !part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw new ArgumentException($"Block key '{key}' is not a '/'-separated path of letters, digits, '-', '_' and '.'.", nameof(key));
            }
        }

        return key;
    }
}
