using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monge.Solvers.Exact;

/// <summary>SIMD row sweeps of the shortest-augmenting-path solver (AVX2 width; scalar fallback).</summary>
public sealed partial record LinearAssignment
{
    /// <summary>d[j] = row[j] − v[j], pred[j] = f for all j; returns the smallest d and its column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T InitDistances<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> v, Span<T> d, Span<int> pred, int f, out int argmin)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = d.Length;
        pred[..m].Fill(f);
        var best = T.PositiveInfinity;
        var bestJ = -1;
        var j = 0;
        if (Vector256.IsHardwareAccelerated && m >= Vector256<T>.Count)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var vr = ref MemoryMarshal.GetReference(v);
            ref var dr = ref MemoryMarshal.GetReference(d);
            var vmin = Vector256.Create(T.PositiveInfinity);
            var vidx = Vector256<T>.Zero;
            var idx = Vector256<T>.Indices;
            var step = Vector256.Create(T.CreateTruncating(Vector256<T>.Count));
            for (; j <= m - Vector256<T>.Count; j += Vector256<T>.Count)
            {
                var t = Vector256.LoadUnsafe(ref r, (nuint)j) - Vector256.LoadUnsafe(ref vr, (nuint)j);
                t.StoreUnsafe(ref dr, (nuint)j);
                var lt = Vector256.LessThan(t, vmin);
                vmin = Vector256.ConditionalSelect(lt, t, vmin);
                vidx = Vector256.ConditionalSelect(lt, idx, vidx);
                idx += step;
            }

            ReduceArgMin(vmin, vidx, ref best, ref bestJ);
        }

        for (; j < m; j++)
        {
            var t = row[j] - v[j];
            d[j] = t;
            if (t < best)
            {
                best = t;
                bestJ = j;
            }
        }

        argmin = bestJ;
        return best;
    }

    /// <summary>
    /// Relaxes all columns through row i (matched to the column just scanned, with offset u1):
    /// t = row[j] − v[j] − u1; where t &lt; d[j], d[j] = t and pred[j] = i. Returns the new smallest d and its column.
    /// Scanned columns carry v = −∞, so t = +∞ there and d (set to +∞) never changes.
    /// </summary>
    /// <remarks>
    /// The SIMD kernels are branch-free: d and pred are blended and stored for every block of 8 columns (improvements
    /// land anywhere in the row, so a branch on "any lane improved" mispredicts often).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Relax<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> v, Span<T> d, Span<int> pred, int i, T u1, out int argmin)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = d.Length;
        if (Vector256.IsHardwareAccelerated && m >= 8)
        {
            if (typeof(T) == typeof(float))
            {
                var best = RelaxSingle(
                    MemoryMarshal.Cast<T, float>(row), MemoryMarshal.Cast<T, float>(v), MemoryMarshal.Cast<T, float>(d), pred, i, float.CreateTruncating(u1), out argmin);
                return T.CreateTruncating(best);
            }

            if (typeof(T) == typeof(double))
            {
                var best = RelaxDouble(
                    MemoryMarshal.Cast<T, double>(row), MemoryMarshal.Cast<T, double>(v), MemoryMarshal.Cast<T, double>(d), pred, i, double.CreateTruncating(u1), out argmin);
                return T.CreateTruncating(best);
            }
        }

        var bestScalar = T.PositiveInfinity;
        var bestJ = -1;
        RelaxTail(row, v, d, pred, i, u1, 0, ref bestScalar, ref bestJ);
        argmin = bestJ;
        return bestScalar;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float RelaxSingle(ReadOnlySpan<float> row, ReadOnlySpan<float> v, Span<float> d, Span<int> pred, int i, float u1, out int argmin)
    {
        var m = d.Length;
        ref var r = ref MemoryMarshal.GetReference(row);
        ref var vr = ref MemoryMarshal.GetReference(v);
        ref var dr = ref MemoryMarshal.GetReference(d);
        ref var pr = ref MemoryMarshal.GetReference(pred);
        var vu1 = Vector256.Create(u1);
        var vi = Vector256.Create(i);
        var vmin = Vector256.Create(float.PositiveInfinity);
        var vidx = Vector256<int>.Zero;
        var idx = Vector256<int>.Indices;
        var step = Vector256.Create(8);
        var j = 0;
        for (; j <= m - 8; j += 8)
        {
            var t = Vector256.LoadUnsafe(ref r, (nuint)j) - Vector256.LoadUnsafe(ref vr, (nuint)j) - vu1;
            var old = Vector256.LoadUnsafe(ref dr, (nuint)j);
            var improved = Vector256.LessThan(t, old);
            var nd = Vector256.ConditionalSelect(improved, t, old);
            nd.StoreUnsafe(ref dr, (nuint)j);
            Vector256.ConditionalSelect(improved.AsInt32(), vi, Vector256.LoadUnsafe(ref pr, (nuint)j)).StoreUnsafe(ref pr, (nuint)j);
            var lt = Vector256.LessThan(nd, vmin);
            vmin = Vector256.ConditionalSelect(lt, nd, vmin);
            vidx = Vector256.ConditionalSelect(lt.AsInt32(), idx, vidx);
            idx += step;
        }

        var best = float.PositiveInfinity;
        var bestJ = -1;
        for (var k = 0; k < 8; k++)
        {
            if (vmin[k] < best || (vmin[k] == best && vidx[k] < bestJ))
            {
                best = vmin[k];
                bestJ = vidx[k];
            }
        }

        RelaxTail(row, v, d, pred, i, u1, j, ref best, ref bestJ);
        argmin = bestJ;
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double RelaxDouble(ReadOnlySpan<double> row, ReadOnlySpan<double> v, Span<double> d, Span<int> pred, int i, double u1, out int argmin)
    {
        var m = d.Length;
        ref var r = ref MemoryMarshal.GetReference(row);
        ref var vr = ref MemoryMarshal.GetReference(v);
        ref var dr = ref MemoryMarshal.GetReference(d);
        ref var pr = ref MemoryMarshal.GetReference(pred);
        var vu1 = Vector256.Create(u1);
        var vi = Vector256.Create(i);
        var vmin0 = Vector256.Create(double.PositiveInfinity);
        var vmin1 = vmin0;
        var vidx = Vector256<int>.Zero;
        var idx = Vector256<int>.Indices;
        var step = Vector256.Create(8);
        var j = 0;
        for (; j <= m - 8; j += 8)
        {
            var t0 = Vector256.LoadUnsafe(ref r, (nuint)j) - Vector256.LoadUnsafe(ref vr, (nuint)j) - vu1;
            var t1 = Vector256.LoadUnsafe(ref r, (nuint)(j + 4)) - Vector256.LoadUnsafe(ref vr, (nuint)(j + 4)) - vu1;
            var old0 = Vector256.LoadUnsafe(ref dr, (nuint)j);
            var old1 = Vector256.LoadUnsafe(ref dr, (nuint)(j + 4));
            var imp0 = Vector256.LessThan(t0, old0);
            var imp1 = Vector256.LessThan(t1, old1);
            var nd0 = Vector256.ConditionalSelect(imp0, t0, old0);
            var nd1 = Vector256.ConditionalSelect(imp1, t1, old1);
            nd0.StoreUnsafe(ref dr, (nuint)j);
            nd1.StoreUnsafe(ref dr, (nuint)(j + 4));
            var improved = Vector256.Narrow(imp0.AsInt64(), imp1.AsInt64());
            Vector256.ConditionalSelect(improved, vi, Vector256.LoadUnsafe(ref pr, (nuint)j)).StoreUnsafe(ref pr, (nuint)j);
            var lt0 = Vector256.LessThan(nd0, vmin0);
            var lt1 = Vector256.LessThan(nd1, vmin1);
            vmin0 = Vector256.ConditionalSelect(lt0, nd0, vmin0);
            vmin1 = Vector256.ConditionalSelect(lt1, nd1, vmin1);
            vidx = Vector256.ConditionalSelect(Vector256.Narrow(lt0.AsInt64(), lt1.AsInt64()), idx, vidx);
            idx += step;
        }

        var best = double.PositiveInfinity;
        var bestJ = -1;
        for (var k = 0; k < 8; k++)
        {
            var value = k < 4 ? vmin0[k] : vmin1[k - 4];
            if (value < best || (value == best && vidx[k] < bestJ))
            {
                best = value;
                bestJ = vidx[k];
            }
        }

        RelaxTail(row, v, d, pred, i, u1, j, ref best, ref bestJ);
        argmin = bestJ;
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RelaxTail<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> v, Span<T> d, Span<int> pred, int i, T u1, int j, ref T best, ref int bestJ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (; j < d.Length; j++)
        {
            var t = row[j] - v[j] - u1;
            var dj = d[j];
            if (t < dj)
            {
                dj = t;
                d[j] = t;
                pred[j] = i;
            }

            if (dj < best)
            {
                best = dj;
                bestJ = j;
            }
        }
    }

    /// <summary>The smallest and second smallest of row[j] − v[j] (the second counts ties), and the column of the smallest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (T Min, int ArgMin, T Second) TwoSmallest<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = v.Length;
        var min1 = T.PositiveInfinity;
        var min2 = T.PositiveInfinity;
        var arg = -1;
        var j = 0;
        if (Vector256.IsHardwareAccelerated && m >= 2 * Vector256<T>.Count)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var vr = ref MemoryMarshal.GetReference(v);
            var v1 = Vector256.Create(T.PositiveInfinity);
            var v2 = v1;
            var vidx = Vector256<T>.Zero;
            var idx = Vector256<T>.Indices;
            var step = Vector256.Create(T.CreateTruncating(Vector256<T>.Count));
            for (; j <= m - Vector256<T>.Count; j += Vector256<T>.Count)
            {
                var h = Vector256.LoadUnsafe(ref r, (nuint)j) - Vector256.LoadUnsafe(ref vr, (nuint)j);
                var lt = Vector256.LessThan(h, v1);
                v2 = Vector256.ConditionalSelect(lt, v1, Vector256.Min(v2, h));
                vidx = Vector256.ConditionalSelect(lt, idx, vidx);
                v1 = Vector256.ConditionalSelect(lt, h, v1);
                idx += step;
            }

            // Combine lanes: the overall minimum, then the second smallest among everything else.
            var lane = 0;
            for (var k = 1; k < Vector256<T>.Count; k++)
            {
                if (v1[k] < v1[lane])
                {
                    lane = k;
                }
            }

            min1 = v1[lane];
            arg = int.CreateTruncating(vidx[lane]);
            min2 = v2[lane];
            for (var k = 0; k < Vector256<T>.Count; k++)
            {
                if (k != lane)
                {
                    min2 = T.Min(min2, v1[k]);
                }
            }
        }

        for (; j < m; j++)
        {
            var h = row[j] - v[j];
            if (h < min2)
            {
                if (h >= min1)
                {
                    min2 = h;
                }
                else
                {
                    min2 = min1;
                    min1 = h;
                    arg = j;
                }
            }
        }

        return (min1, arg, min2);
    }

    /// <summary>min over j of row[j] − v[j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T MinDifference<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = v.Length;
        var best = T.PositiveInfinity;
        var j = 0;
        if (Vector256.IsHardwareAccelerated && m >= Vector256<T>.Count)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var vr = ref MemoryMarshal.GetReference(v);
            var vmin = Vector256.Create(T.PositiveInfinity);
            for (; j <= m - Vector256<T>.Count; j += Vector256<T>.Count)
            {
                vmin = Vector256.Min(vmin, Vector256.LoadUnsafe(ref r, (nuint)j) - Vector256.LoadUnsafe(ref vr, (nuint)j));
            }

            for (var k = 0; k < Vector256<T>.Count; k++)
            {
                best = T.Min(best, vmin[k]);
            }
        }

        for (; j < m; j++)
        {
            best = T.Min(best, row[j] - v[j]);
        }

        return best;
    }

    /// <summary>v[j] = min(v[j], row[j] − u) for all j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CTransformUpdate<T>(ReadOnlySpan<T> row, T u, Span<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = v.Length;
        var j = 0;
        if (Vector256.IsHardwareAccelerated && m >= Vector256<T>.Count)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var vr = ref MemoryMarshal.GetReference(v);
            var vu = Vector256.Create(u);
            for (; j <= m - Vector256<T>.Count; j += Vector256<T>.Count)
            {
                Vector256.Min(Vector256.LoadUnsafe(ref vr, (nuint)j), Vector256.LoadUnsafe(ref r, (nuint)j) - vu).StoreUnsafe(ref vr, (nuint)j);
            }
        }

        for (; j < m; j++)
        {
            v[j] = T.Min(v[j], row[j] - u);
        }
    }

    /// <summary>Column minima of the rows seen so far: where row[j] &lt; colMin[j], colMin[j] = row[j] and colArg[j] = i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateColumnMinima<T>(ReadOnlySpan<T> row, Span<T> colMin, Span<T> colArg, int i)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = colMin.Length;
        var j = 0;
        var ti = T.CreateTruncating(i);
        if (Vector256.IsHardwareAccelerated && m >= Vector256<T>.Count)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var cm = ref MemoryMarshal.GetReference(colMin);
            ref var ca = ref MemoryMarshal.GetReference(colArg);
            var vi = Vector256.Create(ti);
            for (; j <= m - Vector256<T>.Count; j += Vector256<T>.Count)
            {
                var x = Vector256.LoadUnsafe(ref r, (nuint)j);
                var old = Vector256.LoadUnsafe(ref cm, (nuint)j);
                var lt = Vector256.LessThan(x, old);
                if (lt != Vector256<T>.Zero)
                {
                    Vector256.ConditionalSelect(lt, x, old).StoreUnsafe(ref cm, (nuint)j);
                    Vector256.ConditionalSelect(lt, vi, Vector256.LoadUnsafe(ref ca, (nuint)j)).StoreUnsafe(ref ca, (nuint)j);
                }
            }
        }

        for (; j < m; j++)
        {
            if (row[j] < colMin[j])
            {
                colMin[j] = row[j];
                colArg[j] = ti;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceArgMin<T>(Vector256<T> vmin, Vector256<T> vidx, ref T best, ref int bestJ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var k = 0; k < Vector256<T>.Count; k++)
        {
            if (vmin[k] < best)
            {
                best = vmin[k];
                bestJ = int.CreateTruncating(vidx[k]);
            }
        }
    }

    /// <summary>Whether every entry is finite (x − x is 0 for finite x and NaN otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var j = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<T>.Count)
        {
            ref var r = ref MemoryMarshal.GetReference(values);
            var acc = Vector256<T>.Zero;
            for (; j <= values.Length - Vector256<T>.Count; j += Vector256<T>.Count)
            {
                var x = Vector256.LoadUnsafe(ref r, (nuint)j);
                acc += x - x;
            }

            if (!Vector256.EqualsAll(acc, Vector256<T>.Zero))
            {
                return false;
            }
        }

        for (; j < values.Length; j++)
        {
            if (!T.IsFinite(values[j]))
            {
                return false;
            }
        }

        return true;
    }
}
