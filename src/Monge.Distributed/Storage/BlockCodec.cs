using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Monge.Distributed.Storage;

/// <summary>Raw little-endian encodings of the arrays a job keeps in the store (float64 points, int32 indices).</summary>
internal static class BlockCodec
{
    public static byte[] FromDoubles(ReadOnlySpan<double> values)
    {
        RequireLittleEndian();
        return MemoryMarshal.AsBytes(values).ToArray();
    }

    // The doubles' encoding without a copy (on a little-endian machine it is their memory): a write of a whole point set
    // then holds no second n·d·8 bytes. Values not backed by an array are copied.
    public static ReadOnlyMemory<byte> AsBytes(ReadOnlyMemory<double> values)
    {
        RequireLittleEndian();
        return MemoryMarshal.TryGetArray(values, out var segment) ? new DoubleBytes(segment).Memory : FromDoubles(values.Span);
    }

    // A byte array (a whole number of doubles) as the doubles it encodes, to fill in place.
    public static Span<double> DoublesOf(byte[] bytes)
    {
        RequireLittleEndian();
        return MemoryMarshal.Cast<byte, double>(bytes.AsSpan());
    }

    public static double[] ToDoubles(string key, byte[] bytes, long expected)
    {
        RequireLittleEndian();
        if (bytes.Length != expected * sizeof(double))
        {
            throw new BlockCorruptException(key, $"Block '{key}' holds {bytes.Length} bytes; the job expects {expected} float64 values ({expected * sizeof(double)} bytes).");
        }

        var values = new double[expected];
        bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    // A block's two halves (its X rows then its Y rows, half values each) straight into two arrays: no copy of the
    // whole block besides the bytes.
    public static (double[] X, double[] Y) ToDoublePair(string key, byte[] bytes, long half)
    {
        RequireLittleEndian();
        if (bytes.Length != 2 * half * sizeof(double))
        {
            throw new BlockCorruptException(key, $"Block '{key}' holds {bytes.Length} bytes; the job expects {2 * half} float64 values ({2 * half * sizeof(double)} bytes).");
        }

        var x = new double[half];
        var y = new double[half];
        var split = (int)(half * sizeof(double));
        bytes.AsSpan(0, split).CopyTo(MemoryMarshal.AsBytes(x.AsSpan()));
        bytes.AsSpan(split).CopyTo(MemoryMarshal.AsBytes(y.AsSpan()));
        return (x, y);
    }

    public static void WriteInts(Span<byte> destination, ReadOnlySpan<int> values) =>
        MemoryMarshal.AsBytes(values).CopyTo(destination);

    public static void ReadInts(ReadOnlySpan<byte> source, Span<int> destination) =>
        source[..(destination.Length * sizeof(int))].CopyTo(MemoryMarshal.AsBytes(destination));

    public static int ReadInt(ReadOnlySpan<byte> source, int offset) => BinaryPrimitives.ReadInt32LittleEndian(source[offset..]);

    public static void WriteInt(Span<byte> destination, int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], value);

    // The bytes of a double array segment, in place (pinned while a writer pins them).
    private sealed unsafe class DoubleBytes(ArraySegment<double> segment) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(segment.AsSpan());

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, segment.Count * sizeof(double));
            var handle = GCHandle.Alloc(segment.Array, GCHandleType.Pinned);
            var start = (byte*)handle.AddrOfPinnedObject() + ((long)segment.Offset * sizeof(double)) + elementIndex;
            return new MemoryHandle(start, handle, this);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The block store's raw encodings are little-endian; this machine is big-endian.");
        }
    }
}
