using System.Buffers.Binary;
using Monge.Testing;

namespace Monge.IO.Tests;

/// <summary>
/// Issue #12 item 7: a corrupted header must give a <see cref="DataFormatException"/> (or a
/// <see cref="DataSelectionException"/>) naming the file, never an <see cref="OutOfMemoryException"/> or a .NET internal
/// error. Sizes read from headers are validated before any allocation. The corruptions are made in the committed
/// fixtures: shape attributes and dataspace dimensions set to huge or negative values, and seeded random byte damage.
/// </summary>
public sealed class CorruptedFileTests : IDisposable
{
    private static readonly string[] H5adFiles = ["io_cells_csr.h5ad", "io_cells_csc.h5ad", "io_cells_dense.h5ad"];
    private static readonly string[] Keys = ["X", "obsm/spatial", "obsm/X_pca", "obs/weight"];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(Fixtures.Directory, name));

    /// <summary>Reads every key (and the listing) of a damaged file; each must succeed or fail with a typed error naming it.</summary>
    private static void ReadEverything(string path, string what)
    {
        Attempt(path, what + " (entries)", () => AnnDataFormat.Entries(path));
        foreach (var key in Keys)
        {
            Attempt(path, $"{what} #{key}", () => AnnDataFormat.Read(path, key, maxBytes: 64L << 20));
        }
    }

    private static void Attempt(string path, string what, Action read)
    {
        try
        {
            read();
        }
        catch (DataFormatException ex)
        {
            Assert.True(ex.Message.Contains(path, StringComparison.Ordinal), $"{what}: the message does not name the file: {ex.Message}");
        }
        catch (DataSelectionException ex)
        {
            Assert.True(ex.Message.Contains(path, StringComparison.Ordinal), $"{what}: the message does not name the file: {ex.Message}");
        }
        catch (Exception ex)
        {
            Assert.Fail($"{what}: {ex}");
        }
    }

    /// <summary>Every offset where <paramref name="pattern"/> occurs in <paramref name="bytes"/>.</summary>
    private static List<int> Find(byte[] bytes, byte[] pattern)
    {
        var found = new List<int>();
        for (var i = 0; i + pattern.Length <= bytes.Length; i++)
        {
            if (bytes.AsSpan(i, pattern.Length).SequenceEqual(pattern))
            {
                found.Add(i);
            }
        }

        return found;
    }

    private static byte[] Int64s(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var k = 0; k < values.Length; k++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * k), values[k]);
        }

        return bytes;
    }

    public static TheoryData<string, long> HugeSizes()
    {
        var data = new TheoryData<string, long>();
        foreach (var file in H5adFiles)
        {
            foreach (var size in new[] { 1L << 40, -1L })
            {
                data.Add(file, size);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HugeSizes))]
    public void Read_HugeShapeOrDimension_TypedErrorNamingTheFile(string file, long size)
    {
        // The shapes (11, 7), (11, 2), (11, 3), (11,), (12,) and (30,) appear as 8-byte little-endian sizes in the shape
        // attributes and the dataspace messages; each occurrence is replaced, one at a time, by a huge or negative value.
        var original = Fixture(file);
        var patterns = new[] { Int64s(11, 7), Int64s(11, 2), Int64s(11, 3), Int64s(7, 11), Int64s(11), Int64s(12), Int64s(30), Int64s(8) };
        var tried = 0;
        foreach (var pattern in patterns)
        {
            foreach (var offset in Find(original, pattern))
            {
                for (var slot = 0; slot < pattern.Length / 8; slot++)
                {
                    var damaged = (byte[])original.Clone();
                    BinaryPrimitives.WriteInt64LittleEndian(damaged.AsSpan(offset + (8 * slot)), size);
                    var path = _folder.File($"{tried++}-{file}");
                    File.WriteAllBytes(path, damaged);
                    ReadEverything(path, $"{file}: 8 bytes at {offset + (8 * slot)} set to {size}");
                }
            }
        }

        Assert.True(tried > 5, $"only {tried} size fields found in {file}");
    }

    [Theory]
    [InlineData("io_cells_csr.h5ad")]
    [InlineData("io_cells_csc.h5ad")]
    [InlineData("io_cells_dense.h5ad")]
    public void Read_RandomByteDamage_TypedErrorNamingTheFile(string file)
    {
        var original = Fixture(file);
        var rng = Seeds.Create(7007);
        for (var sample = 0; sample < 40; sample++)
        {
            var damaged = (byte[])original.Clone();
            var at = rng.Next(damaged.Length - 8);
            if (sample % 2 == 0)
            {
                damaged.AsSpan(at, 8).Fill(0xFF);
            }
            else
            {
                damaged[at] ^= (byte)(1 << rng.Next(8));
            }

            var path = _folder.File($"r{sample}-{file}");
            File.WriteAllBytes(path, damaged);
            ReadEverything(path, $"{file}: sample {sample} at byte {at}");
        }
    }

    [Theory]
    [InlineData("(40000, 30000)")]
    [InlineData("(4000000000, 2)")]
    [InlineData("(12, 3)")]
    public void NpyRead_HeaderShapeLargerThanTheData_TypedErrorBeforeAllocating(string shape)
    {
        // 240 bytes of float64 data (a 10 × 3 array) behind a version 1.0 header that claims another shape.
        var path = _folder.File("a.npy");
        var dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}";
        var padded = ((10 + dict.Length + 1 + 63) / 64 * 64) - 10;
        var header = System.Text.Encoding.ASCII.GetBytes(dict.PadRight(padded - 1) + "\n");
        byte[] prefix = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)];
        File.WriteAllBytes(path, [.. prefix, .. header, .. new byte[240]]);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.Throws<DataFormatException>(() => NpyFormat.Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < (16L << 20), "allocated the claimed shape before checking it");

        var archive = _folder.File("a.npz");
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(archive), System.IO.Compression.ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("x.npy").Open();
            entry.Write(File.ReadAllBytes(path));
        }

        var inArchive = Assert.Throws<DataFormatException>(() => NpzFormat.Read(archive));
        Assert.Contains(archive, inArchive.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("io_cells_csr.h5ad")]
    [InlineData("io_cells_dense.h5ad")]
    public void Read_Truncated_TypedErrorNamingTheFile(string file)
    {
        var original = Fixture(file);
        foreach (var length in new[] { 0, 7, 100, original.Length / 3, original.Length / 2, original.Length - 9 })
        {
            var path = _folder.File($"t{length}-{file}");
            File.WriteAllBytes(path, original.AsSpan(0, length).ToArray());
            ReadEverything(path, $"{file} truncated to {length} bytes");
        }
    }
}
