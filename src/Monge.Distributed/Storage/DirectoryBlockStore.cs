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
    /// <remarks>The content is read straight into the returned array (one allocation of its length; the header is
    /// read first), not into a whole-file array and copied: a block of the 10 M-point job's points is 160 MB.</remarks>
    public async ValueTask<byte[]> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        byte[]? content = null;
        await ReadCoreAsync(key, length => content = new byte[length], cancellationToken).ConfigureAwait(false);
        return content!;
    }

    /// <inheritdoc/>
    public async ValueTask ReadAsync(string key, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        await ReadCoreAsync(
            key,
            length => length == destination.Length
                ? destination
                : throw new BlockCorruptException(key, $"Block '{key}' in the store {Root} ({PathOf(key)}) holds {length} bytes; the reader expects {destination.Length}."),
            cancellationToken).ConfigureAwait(false);

    // Opens the block's file, checks its header against the file's length, reads the content into the memory that
    // destinationFor gives for its length, and verifies the checksum.
    private async ValueTask ReadCoreAsync(string key, Func<long, Memory<byte>> destinationFor, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlockNotFoundException(key, $"Block '{key}' is missing from the store {Root} (expected {path}).");
        }

        Memory<byte> content;
        var header = new byte[HeaderBytes];
        await using (stream.ConfigureAwait(false))
        {
            var fileLength = stream.Length;
            var headerRead = await stream.ReadAtLeastAsync(header, HeaderBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (headerRead < HeaderBytes || !header.AsSpan(0, 8).SequenceEqual(Magic))
            {
                throw new BlockCorruptException(key, $"Block '{key}' in the store {Root} ({path}) has no valid header ({fileLength} bytes).");
            }

            var length = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
            if (length != fileLength - HeaderBytes)
            {
                throw new BlockCorruptException(key, $"Block '{key}' in the store {Root} ({path}) is truncated or padded: the header says {length} bytes, the file holds {fileLength - HeaderBytes}.");
            }

            content = destinationFor(length);
            var read = await stream.ReadAtLeastAsync(content, content.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read != content.Length)
            {
                throw new BlockCorruptException(key, $"Block '{key}' in the store {Root} ({path}) is truncated: {read} of {length} bytes could be read.");
            }
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(content.Span, hash);
        if (!hash.SequenceEqual(header.AsSpan(16, 32)))
        {
            throw new BlockCorruptException(key, $"Block '{key}' in the store {Root} ({path}) is corrupt: its content does not match its SHA-256 checksum.");
        }
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
