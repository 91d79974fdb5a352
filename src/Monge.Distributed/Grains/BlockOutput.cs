using Monge.Distributed.Storage;

namespace Monge.Distributed.Grains;

/// <summary>A worker's output block: m, r, the permuted local X range, the permuted local Y range, the r child sizes
/// (int32 little-endian).</summary>
internal static class BlockOutput
{
    public static byte[] Encode(int[] ix, int[] iy, int[] sizes)
    {
        var bytes = new byte[(2 + ix.Length + iy.Length + sizes.Length) * sizeof(int)];
        BlockCodec.WriteInt(bytes, 0, ix.Length);
        BlockCodec.WriteInt(bytes, 4, sizes.Length);
        BlockCodec.WriteInts(bytes.AsSpan(8), ix);
        BlockCodec.WriteInts(bytes.AsSpan(8 + (4 * ix.Length)), iy);
        BlockCodec.WriteInts(bytes.AsSpan(8 + (8 * ix.Length)), sizes);
        return bytes;
    }

    /// <summary>Decodes and checks an output: both ranges are permutations of 0 … m − 1 and the sizes tile m.</summary>
    public static (int[] X, int[] Y, int[] Sizes) Decode(string key, byte[] bytes, int m)
    {
        if (bytes.Length < 8 || BlockCodec.ReadInt(bytes, 0) != m)
        {
            throw new BlockCorruptException(key, $"Block output '{key}' does not describe a block of {m} points.");
        }

        var r = BlockCodec.ReadInt(bytes, 4);
        if (r < 1 || r > m || bytes.Length != (2L + (2L * m) + r) * sizeof(int))
        {
            throw new BlockCorruptException(key, $"Block output '{key}' has {bytes.Length} bytes, not a block of {m} points split in {r}.");
        }

        var (ix, iy, sizes) = ReadArrays(bytes, m, r);
        if (!IsPermutation(ix) || !IsPermutation(iy) || sizes.Any(s => s < 1) || sizes.Sum() != m)
        {
            throw new BlockCorruptException(key, $"Block output '{key}' is not a permutation of its {m} points split in {r} children.");
        }

        return (ix, iy, sizes);
    }

    /// <summary>Decodes and checks a sharded block's checkpoint (<see cref="Encode"/> of the block's index ranges after
    /// its split, not local positions): each stored range holds the same point indices as the block's current range,
    /// and the 1 … <paramref name="rank"/> sizes tile the block.</summary>
    public static (int[] X, int[] Y, int[] Sizes) DecodeRanges(string key, byte[] bytes, ReadOnlySpan<int> currentX, ReadOnlySpan<int> currentY, int rank)
    {
        var m = currentX.Length;
        if (bytes.Length < 8 || BlockCodec.ReadInt(bytes, 0) != m)
        {
            throw new BlockCorruptException(key, $"Block checkpoint '{key}' does not describe a block of {m} points.");
        }

        var r = BlockCodec.ReadInt(bytes, 4);
        if (r < 1 || r > Math.Min(m, rank) || bytes.Length != (2L + (2L * m) + r) * sizeof(int))
        {
            throw new BlockCorruptException(key, $"Block checkpoint '{key}' has {bytes.Length} bytes, not a block of {m} points split in at most {rank}.");
        }

        var (ix, iy, sizes) = ReadArrays(bytes, m, r);
        if (!SameSet(ix, currentX) || !SameSet(iy, currentY) || sizes.Any(s => s < 1) || sizes.Sum() != m)
        {
            throw new BlockCorruptException(key, $"Block checkpoint '{key}' does not reorder its block's {m} points into {r} children.");
        }

        return (ix, iy, sizes);
    }

    private static bool SameSet(int[] stored, ReadOnlySpan<int> current)
    {
        var a = (int[])stored.Clone();
        var b = current.ToArray();
        Array.Sort(a);
        Array.Sort(b);
        return a.AsSpan().SequenceEqual(b);
    }

    private static bool IsPermutation(int[] p)
    {
        var seen = new bool[p.Length];
        foreach (var v in p)
        {
            if ((uint)v >= (uint)p.Length || seen[v])
            {
                return false;
            }

            seen[v] = true;
        }

        return true;
    }

    /// <summary>The three arrays of an <see cref="Encode"/>d block after its 8-byte header (m and r, already checked).</summary>
    private static (int[] X, int[] Y, int[] Sizes) ReadArrays(byte[] bytes, int m, int r)
    {
        var ix = new int[m];
        var iy = new int[m];
        var sizes = new int[r];
        BlockCodec.ReadInts(bytes.AsSpan(8), ix);
        BlockCodec.ReadInts(bytes.AsSpan(8 + (4 * m)), iy);
        BlockCodec.ReadInts(bytes.AsSpan(8 + (8 * m)), sizes);
        return (ix, iy, sizes);
    }
}
