namespace Monge.IO;

/// <summary>
/// Writes files so that a reader never sees a half-written file and an existing file is never lost: the content goes to
/// a temporary file in the same folder, which is flushed to disk and then renamed over the destination.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="write">Writes the whole content to the given stream.</param>
    /// <param name="overwrite">Whether an existing destination may be replaced.</param>
    /// <exception cref="IOException">The destination exists and <paramref name="overwrite"/> is false, or the write failed
    /// (the destination is then untouched and the temporary file removed).</exception>
    public static void Write(string path, Action<Stream> write, bool overwrite = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
        {
            throw new IOException($"{path}: file exists (pass overwrite to replace it).");
        }

        var directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{path}: folder '{directory}' does not exist.");
        }

        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // Best effort: the temporary file has a unique hidden name and never replaces user data.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
