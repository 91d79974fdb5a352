using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Monge.IO;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): little-endian float32, float64, int32 and
/// int64 in C order. Anything else (big-endian, Fortran order, other dtypes, object arrays) is rejected with a
/// <see cref="DataFormatException"/> that names the file and the byte offset.
/// </summary>
public static class NpyFormat
{
    private static readonly byte[] s_magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads an .npy file.</summary>
    /// <exception cref="DataFormatException">The file is malformed or of an unsupported type.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NumericArray Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads an .npy payload from a stream (for example an NPZ entry).</summary>
    /// <param name="stream">The stream, positioned at the magic string.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <exception cref="DataFormatException">The content is malformed or of an unsupported type.</exception>
    public static NumericArray Read(Stream stream, string name) => Read(stream, name, null);

    /// <summary>Reads an .npy payload; <paramref name="payloadLength"/> (the payload size, when the stream cannot tell) bounds what the header may claim.</summary>
    internal static NumericArray Read(Stream stream, string name, long? payloadLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[10];
        var got = ReadFully(stream, prefix);
        if (got == 0)
        {
            throw new DataFormatException(name, "byte 0", "file is empty (expected an .npy header)");
        }

        if (got < 8 || !prefix[..6].SequenceEqual(s_magic))
        {
            throw new DataFormatException(name, "byte 0", "not an .npy file (missing the \\x93NUMPY magic string)");
        }

        int major = prefix[6];
        int headerLength;
        long offset;
        if (major == 1)
        {
            if (got < 10)
            {
                throw new DataFormatException(name, $"byte {got}", "truncated header length");
            }

            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..10]);
            offset = 10;
        }
        else if (major is 2 or 3)
        {
            Span<byte> more = stackalloc byte[2];
            if (got < 10 || ReadFully(stream, more) < 2)
            {
                throw new DataFormatException(name, $"byte {got}", "truncated header length");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], more[0], more[1]]);
            if (length > 1 << 24)
            {
                throw new DataFormatException(name, "byte 8", $"implausible header length {length}");
            }

            headerLength = (int)length;
            offset = 12;
        }
        else
        {
            throw new DataFormatException(name, "byte 6", $"unsupported .npy format version {major}.{prefix[7]}");
        }

        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes) < headerLength)
        {
            throw new DataFormatException(name, $"byte {offset}", $"truncated header (expected {headerLength} bytes)");
        }

        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (dtype, fortran, shape) = ParseHeader(header, name, offset);
        if (fortran)
        {
            throw new DataFormatException(name, $"byte {offset}", "Fortran-ordered arrays are not supported; save the array in C order (np.ascontiguousarray)");
        }

        offset += headerLength;
        long count = 1;
        foreach (var extent in shape)
        {
            count = checked(count * extent);
        }

        var elementSize = dtype is NumericDType.Float32 or NumericDType.Int32 ? 4 : 8;
        if (count > Array.MaxLength || count * elementSize > Array.MaxLength)
        {
            throw new DataFormatException(name, $"byte {offset}", $"array of {count} elements is too large to load");
        }

        // Check the header's shape against the bytes that follow before allocating: a corrupted shape must not allocate gigabytes.
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : payloadLength - offset;
        if (remaining is { } left && count * elementSize > left)
        {
            throw new DataFormatException(
                name,
                $"byte {offset}",
                $"truncated data: shape ({string.Join(", ", shape)}) needs {count * elementSize} bytes of {DescriptorOf(dtype)}, found {Math.Max(0, left)}");
        }

        Array data = dtype switch
        {
            NumericDType.Float32 => new float[count],
            NumericDType.Float64 => new double[count],
            NumericDType.Int32 => new int[count],
            _ => new long[count],
        };

        var bytes = dtype switch
        {
            NumericDType.Float32 => MemoryMarshal.AsBytes(((float[])data).AsSpan()),
            NumericDType.Float64 => MemoryMarshal.AsBytes(((double[])data).AsSpan()),
            NumericDType.Int32 => MemoryMarshal.AsBytes(((int[])data).AsSpan()),
            _ => MemoryMarshal.AsBytes(((long[])data).AsSpan()),
        };

        var read = ReadFully(stream, bytes);
        if (read < bytes.Length)
        {
            throw new DataFormatException(
                name,
                $"byte {offset + read}",
                $"truncated data: shape ({string.Join(", ", shape)}) needs {bytes.Length} bytes of {DescriptorOf(dtype)}, found {read}");
        }

        if (stream.ReadByte() >= 0)
        {
            throw new DataFormatException(name, $"byte {offset + read}", "unexpected bytes after the array data (wrong shape in header?)");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Monge.IO needs a little-endian machine.");
        }

        return new NumericArray(data, shape);
    }

    /// <summary>Writes an .npy file (format 1.0, or 2.0 when the header needs it) atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="array">The array.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    public static void Write(string path, NumericArray array, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, s => Write(s, array), overwrite);
    }

    /// <summary>Writes an .npy payload to a stream.</summary>
    public static void Write(Stream stream, NumericArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        var shape = array.ShapeString();
        var dict = $"{{'descr': '{DescriptorOf(array.DType)}', 'fortran_order': False, 'shape': {shape}, }}";

        // Pad with spaces and a final newline so that the data starts at a multiple of 64 bytes.
        var v1Total = 10 + dict.Length + 1;
        var useV2 = v1Total + 64 > ushort.MaxValue;
        var prefixLength = useV2 ? 12 : 10;
        var padded = ((prefixLength + dict.Length + 1 + 63) / 64) * 64;
        var header = dict + new string(' ', padded - prefixLength - dict.Length - 1) + "\n";
        var headerBytes = Encoding.Latin1.GetBytes(header);

        stream.Write(s_magic);
        stream.WriteByte(useV2 ? (byte)2 : (byte)1);
        stream.WriteByte(0);
        if (useV2)
        {
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)headerBytes.Length);
            stream.Write(len);
        }
        else
        {
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)headerBytes.Length);
            stream.Write(len);
        }

        stream.Write(headerBytes);
        switch (array.Data)
        {
            case float[] f:
                stream.Write(MemoryMarshal.AsBytes(f.AsSpan()));
                break;
            case double[] d:
                stream.Write(MemoryMarshal.AsBytes(d.AsSpan()));
                break;
            case int[] i:
                stream.Write(MemoryMarshal.AsBytes(i.AsSpan()));
                break;
            case long[] l:
                stream.Write(MemoryMarshal.AsBytes(l.AsSpan()));
                break;
        }
    }

    internal static string DescriptorOf(NumericDType dtype) => dtype switch
    {
        NumericDType.Float32 => "<f4",
        NumericDType.Float64 => "<f8",
        NumericDType.Int32 => "<i4",
        _ => "<i8",
    };

    private static (NumericDType DType, bool Fortran, int[] Shape) ParseHeader(string header, string name, long offset)
    {
        var text = header.Trim();
        if (!text.StartsWith('{') || !text.EndsWith('}'))
        {
            throw new DataFormatException(name, $"byte {offset}", $"header is not a Python dict literal: {Abbreviate(text)}");
        }

        var descr = ExtractValue(text, "descr", name, offset).Trim().Trim('\'', '"');
        var fortranText = ExtractValue(text, "fortran_order", name, offset).Trim();
        var shapeText = ExtractValue(text, "shape", name, offset).Trim();

        var dtype = descr switch
        {
            "<f4" or "f4" or "=f4" => NumericDType.Float32,
            "<f8" or "f8" or "=f8" => NumericDType.Float64,
            "<i4" or "i4" or "=i4" => NumericDType.Int32,
            "<i8" or "i8" or "=i8" => NumericDType.Int64,
            _ when descr.StartsWith('>') => throw new DataFormatException(name, $"byte {offset}", $"big-endian dtype '{descr}' is not supported; convert with arr.astype('<{descr[1..]}')"),
            _ => throw new DataFormatException(name, $"byte {offset}", $"unsupported dtype '{descr}' (supported: <f4, <f8, <i4, <i8)"),
        };

        var fortran = fortranText switch
        {
            "False" => false,
            "True" => true,
            _ => throw new DataFormatException(name, $"byte {offset}", $"bad fortran_order value '{fortranText}'"),
        };

        if (!shapeText.StartsWith('(') || !shapeText.EndsWith(')'))
        {
            throw new DataFormatException(name, $"byte {offset}", $"bad shape '{shapeText}'");
        }

        var parts = shapeText[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new int[parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            var part = parts[k].TrimEnd('L');
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out shape[k]))
            {
                throw new DataFormatException(name, $"byte {offset}", $"bad shape '{shapeText}' (extent '{parts[k]}' is not a non-negative 32-bit integer)");
            }
        }

        return (dtype, fortran, shape);
    }

    private static string ExtractValue(string dict, string key, string name, long offset)
    {
        var keyIndex = dict.IndexOf($"'{key}'", StringComparison.Ordinal);
        if (keyIndex < 0)
        {
            keyIndex = dict.IndexOf($"\"{key}\"", StringComparison.Ordinal);
        }

        if (keyIndex < 0)
        {
            throw new DataFormatException(name, $"byte {offset}", $"header has no '{key}' entry: {Abbreviate(dict)}");
        }

        var colon = dict.IndexOf(':', keyIndex + key.Length + 2);
        if (colon < 0)
        {
            throw new DataFormatException(name, $"byte {offset}", $"header entry '{key}' has no value");
        }

        var start = colon + 1;
        var depth = 0;
        var inQuote = '\0';
        for (var k = start; k < dict.Length; k++)
        {
            var c = dict[k];
            if (inQuote != '\0')
            {
                if (c == inQuote)
                {
                    inQuote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    inQuote = c;
                    break;
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']':
                    depth--;
                    break;
                case ',' or '}' when depth == 0:
                    return dict[start..k];
            }
        }

        throw new DataFormatException(name, $"byte {offset}", $"header entry '{key}' is not terminated");
    }

    private static string Abbreviate(string text) => text.Length <= 80 ? text : text[..80] + "...";

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
