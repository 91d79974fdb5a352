namespace Monge.Distributed.Storage;

/// <summary>A block of an <see cref="IBlockStore"/> is missing or corrupt; <see cref="Key"/> names it.</summary>
public abstract class BlockStoreException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The block's key.</param>
    /// <param name="message">The message (it names the block and the store).</param>
    /// <param name="inner">The underlying error, if any.</param>
    protected BlockStoreException(string key, string message, Exception? inner = null)
        : base(message, inner)
    {
        Key = key;
    }

    /// <summary>The key of the block.</summary>
    public string Key { get; }
}

/// <summary>No block of the key exists in the store.</summary>
public sealed class BlockNotFoundException : BlockStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The block's key.</param>
    /// <param name="message">The message (it names the block and the store).</param>
    public BlockNotFoundException(string key, string message)
        : base(key, message)
    {
    }
}

/// <summary>The stored block is truncated, has a bad header, or its content does not match its checksum.</summary>
public sealed class BlockCorruptException : BlockStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The block's key.</param>
    /// <param name="message">The message (it names the block, the store and what is wrong).</param>
    public BlockCorruptException(string key, string message)
        : base(key, message)
    {
    }
}
