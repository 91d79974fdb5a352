using System.IO.Compression;

namespace Monge.IO;

/// <summary>Reads and writes NumPy <c>.npz</c> archives (zip files of .npy entries, stored or deflated).</summary>
public static class NpzFormat
{
    /// <summary>Reads every array of an .npz archive, keyed by entry name without the <c>.npy</c> suffix.</summary>
    /// <exception cref="DataFormatException">The archive or one of its entries is malformed.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IReadOnlyDictionary<string, NumericArray> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length == 0)
        {
            throw new DataFormatException(path, "byte 0", "file is empty (expected a zip archive of .npy files)");
        }

        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read);
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(path, "zip directory", $"not a valid .npz (zip) archive: {ex.Message}", ex);
        }

        using (archive)
        {
            try
            {
                return ReadEntries(archive, path);
            }
            catch (InvalidDataException ex)
            {
                throw new DataFormatException(path, "zip directory", $"corrupted .npz (zip) archive: {ex.Message}", ex);
            }
        }
    }

    private static Dictionary<string, NumericArray> ReadEntries(ZipArchive archive, string path)
    {
        var result = new Dictionary<string, NumericArray>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            if (entry.FullName.EndsWith('/'))
            {
                continue;
            }

            var key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
            var entryName = $"{path}#{key}";
            try
            {
                using var entryStream = entry.Open();
                result[key] = NpyFormat.Read(entryStream, entryName, entry.Length);
            }
            catch (InvalidDataException ex)
            {
                throw new DataFormatException(entryName, "entry data", $"corrupted archive entry: {ex.Message}", ex);
            }
        }

        return result;
    }

    /// <summary>Reads one array of an .npz archive.</summary>
    /// <exception cref="KeyNotFoundException">The key is missing; the message lists the keys that exist.</exception>
    public static NumericArray Read(string path, string key)
    {
        var all = Read(path);
        if (all.TryGetValue(key, out var array))
        {
            return array;
        }

        throw new KeyNotFoundException($"{path}: no array '{key}'; the archive holds: {string.Join(", ", all.Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>Writes arrays to an .npz archive (deflated), atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, NumericArray> arrays, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        AtomicFile.Write(
            path,
            s =>
            {
                using var archive = new ZipArchive(s, ZipArchiveMode.Create, leaveOpen: true);
                foreach (var (key, array) in arrays)
                {
                    var entry = archive.CreateEntry(key + ".npy", CompressionLevel.Optimal);
                    using var entryStream = entry.Open();
                    NpyFormat.Write(entryStream, array);
                }
            },
            overwrite);
    }
}
