namespace Monge.Distributed.Storage;

/// <summary>
/// Where a distributed Hierarchical Refinement job keeps its bulk data: the points, each block's input and output,
/// the level checkpoints and the result. Every silo and the client must reach the same store; grain messages carry
/// only keys and small results. A key is a '/'-separated path of letters, digits, '-', '_' and '.'.
/// </summary>
/// <remarks>
/// <para>Contract for an implementation (a shared directory, <see cref="DirectoryBlockStore"/>; an object store could
/// implement it the same way): <see cref="PutAsync"/> is atomic (a reader sees the old content, the new content or
/// nothing, never a part) and may replace an existing block; <see cref="GetAsync"/> verifies a content checksum written
/// by <see cref="PutAsync"/> and throws <see cref="BlockCorruptException"/> when it does not match, or
/// <see cref="BlockNotFoundException"/> when the key is absent.</para>
/// </remarks>
public interface IBlockStore
{
    /// <summary>A human-readable location of the store (a folder or a URL), for error messages.</summary>
    string Location { get; }

    /// <summary>Writes a block atomically, with a checksum of its content, replacing any block of that key.</summary>
    /// <param name="key">The block's key.</param>
    /// <param name="data">The content.</param>
    /// <param name="cancellationToken">Cancels the write (the old content, if any, stays).</param>
    ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole block and verifies its checksum.</summary>
    /// <param name="key">The block's key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The content.</returns>
    /// <exception cref="BlockNotFoundException">No block has that key.</exception>
    /// <exception cref="BlockCorruptException">The stored block is truncated or its checksum does not match.</exception>
    ValueTask<byte[]> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole block into <paramref name="destination"/>, which must have exactly the block's length, and
    /// verifies its checksum: a reader of many blocks of known sizes (the pages of a sharded level's sorted runs) reuses
    /// one buffer instead of allocating an array per block. The default reads the block with <see cref="GetAsync"/> and
    /// copies it; <see cref="DirectoryBlockStore"/> reads it in place.</summary>
    /// <param name="key">The block's key.</param>
    /// <param name="destination">Where the content goes (exactly its length).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="BlockNotFoundException">No block has that key.</exception>
    /// <exception cref="BlockCorruptException">The stored block is truncated, its checksum does not match, or its
    /// length is not <paramref name="destination"/>'s.</exception>
    async ValueTask ReadAsync(string key, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var bytes = await GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes.Length != destination.Length)
        {
            throw new BlockCorruptException(key, $"Block '{key}' in the store {Location} holds {bytes.Length} bytes; the reader expects {destination.Length}.");
        }

        bytes.CopyTo(destination);
    }

    /// <summary>Whether a block of that key exists (its content is not verified).</summary>
    /// <param name="key">The block's key.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes a block if it exists.</summary>
    /// <param name="key">The block's key.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default);
}
