using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Geometry;

/// <summary>
/// Seeded subsamples of a point cloud and the masses of their Voronoi cells: the coarse scale shared by the certificate
/// (<c>DualBound</c>) and HiRef's cheap global potential (<c>CoarsePotential</c>).
/// </summary>
/// <remarks>Time O(count) for a sample; O(n·k·d) for the cells, parallel over rows in tiles of 16, or, for the squared
/// Euclidean point-cloud geometry in dimension ≤ 6, O(n·(log k + a few candidates)·d) by a k-d tree with the same result
/// bit for bit (<see cref="TreeNearest"/>). Memory O(count) and
/// O(n + k) plus one 16 × k tile per worker; never n × k. Deterministic for a seed whatever the thread count (each row's
/// nearest column is found by one worker; masses are summed in row order).</remarks>
internal static class CoarseCells
{
    private const int TileRows = 16;

    /// <summary>A uniform sample of <paramref name="k"/> of <paramref name="count"/> indices without replacement
    /// (partial Fisher–Yates), sorted.</summary>
    public static int[] Sample(Random rng, int count, int k)
    {
        var all = new int[count];
        for (var i = 0; i < count; i++)
        {
            all[i] = i;
        }

        for (var i = 0; i < k; i++)
        {
            var j = rng.Next(i, count);
            (all[i], all[j]) = (all[j], all[i]);
        }

        var result = all.AsSpan(0, k).ToArray();
        Array.Sort(result);
        return result;
    }

    /// <summary>
    /// The mass of each coarse point's cell: Σ of <paramref name="weights"/> (null: uniform, each row counts one) over the
    /// points (rows of <paramref name="toCoarse"/>) whose cheapest coarse point (column) it is, normalized to one. Ties go
    /// to the lower column.
    /// </summary>
    public static T[] Weights<T>(CostGeometry<T> toCoarse, T[]? weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = toCoarse.Rows;
        var k = toCoarse.Cols;
        var nearest = TreeNearest(toCoarse) ?? Nearest(toCoarse);
        var mass = new double[k];
        for (var i = 0; i < n; i++)
        {
            mass[nearest[i]] += weights is null ? 1.0 : double.CreateTruncating(weights[i]);
        }

        var total = weights is null ? n : mass.Sum();
        var result = new T[k];
        for (var j = 0; j < k; j++)
        {
            result[j] = T.CreateTruncating(mass[j] / total);
        }

        return result;
    }

    /// <summary>Each row's cheapest column (ties to the lower column): the cost row filled in tiles of 16 rows, the index
    /// of its minimum. O(n·k·d).</summary>
    internal static int[] Nearest<T>(CostGeometry<T> toCoarse)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = toCoarse.Rows;
        var k = toCoarse.Cols;
        var nearest = new int[n];
        Parallel.For(0, (n + TileRows - 1) / TileRows, () => new T[TileRows * k], (block, _, tile) =>
        {
            var i0 = block * TileRows;
            var count = Math.Min(TileRows, n - i0);
            toCoarse.FillCostBlock(i0, count, 0, k, tile);
            for (var r = 0; r < count; r++)
            {
                nearest[i0 + r] = TensorPrimitives.IndexOfMin<T>(tile.AsSpan(r * k, k));
            }

            return tile;
        }, _ => { });
        return nearest;
    }

    /// <summary>
    /// <see cref="Nearest{T}"/> by a k-d tree over the columns, for the squared Euclidean point-cloud geometry (scale 1) in
    /// dimension ≤ <see cref="TreeMaxDimension"/> with at least <see cref="TreeMinColumns"/> columns and finite norms; null
    /// otherwise. The same answer bit for bit: the tree finds the exact nearest squared distance D* of the rows' (float)
    /// centered coordinates in float64, and every column whose exact distance is within D* + 2E of it, where E bounds
    /// |K − D| for the geometry's own rounded entry K (<see cref="SquaredEuclideanTiler{T}.Entry"/>, which
    /// <see cref="CostGeometry{T}.FillCostBlock"/> computes): (2d + 4)·u·(|x|² + |y|²) with u the unit roundoff (the norms' and
    /// the inner product's γ_d, the sum's and the difference's u), doubled, plus an underflow term. Those columns'
    /// entries K are computed exactly as the fill does and the smallest, lowest column on ties, is taken; the column the
    /// fill's minimum picks is among them, since its K is at most the nearest column's. O(n·(log k + candidates)·d)
    /// instead of O(n·k·d): at n = 262 144 and k = 4096 in 2-D about 7 CPU-s → under 0.5 (sqcert, stop 31).
    /// </summary>
    internal static int[]? TreeNearest<T>(CostGeometry<T> toCoarse)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (toCoarse is not PointCloudGeometry<T> { SquaredTiler: { } tiler } || toCoarse.ScaleFactor != T.One
            || tiler.Dimension > TreeMaxDimension || toCoarse.Cols < TreeMinColumns || (typeof(T) != typeof(float) && typeof(T) != typeof(double)))
        {
            return null;
        }

        var d = tiler.Dimension;
        var n = toCoarse.Rows;
        var k = toCoarse.Cols;
        var yNormMax = 0.0;
        foreach (var norm in tiler.TargetNorms)
        {
            var value = double.CreateTruncating(norm);
            if (!double.IsFinite(value))
            {
                return null;
            }

            yNormMax = Math.Max(yNormMax, value);
        }

        foreach (var norm in tiler.SourceNorms)
        {
            if (!T.IsFinite(norm))
            {
                return null;
            }
        }

        var unit = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        var tiny = typeof(T) == typeof(float) ? Math.Pow(2, -126) : Math.Pow(2, -1022);
        var tree = new ColumnTree<T>(tiler.TargetCentered, k, d);
        var nearest = new int[n];
        Parallel.For(0, (n + QueryBlock - 1) / QueryBlock, () => new double[d], (block, _, query) =>
        {
            var i0 = block * QueryBlock;
            var end = Math.Min(n, i0 + QueryBlock);
            for (var i = i0; i < end; i++)
            {
                var xi = tiler.SourceCentered.AsSpan(i * d, d);
                for (var c = 0; c < d; c++)
                {
                    query[c] = double.CreateTruncating(xi[c]);
                }

                var xn = tiler.SourceNorms[i];
                // Twice the bound on |K − D| (the true minimiser of K is within D* + 2E), with room for this float64 D.
                var reach = 2 * (((4.0 * d) + 8) * unit * (double.CreateTruncating(xn) + yNormMax) + ((d + 4) * tiny));
                nearest[i] = tree.Nearest(query, reach, xi, xn, tiler);
            }

            return query;
        }, _ => { });
        return nearest;
    }

    private const int TreeMaxDimension = 6;
    private const int TreeMinColumns = 64;
    private const int QueryBlock = 1024;

    /// <summary>A k-d tree over the coarse points (float64 copies of the tiler's centered columns), leaves of at most 8,
    /// split at the median of the widest side.</summary>
    private sealed class ColumnTree<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private const int LeafSize = 8;
        private const double Up = 1 + 1e-12;
        private const double Down = 1 - 1e-12;
        private readonly double[] _points;
        private readonly int[] _index;
        private readonly int _d;
        private readonly List<(int Start, int Count, int Left, int Right)> _build = [];
        private readonly List<double> _box = [];
        private readonly int[] _start;
        private readonly int[] _count;
        private readonly int[] _left;
        private readonly int[] _right;
        private readonly double[] _boxes;

        public ColumnTree(T[] centered, int k, int d)
        {
            _d = d;
            _index = new int[k];
            for (var j = 0; j < k; j++)
            {
                _index[j] = j;
            }

            var source = new double[k * d];
            for (var c = 0; c < source.Length; c++)
            {
                source[c] = double.CreateTruncating(centered[c]);
            }

            Build(source, 0, k);
            _boxes = [.. _box];
            _start = [.. _build.Select(t => t.Start)];
            _count = [.. _build.Select(t => t.Count)];
            _left = [.. _build.Select(t => t.Left)];
            _right = [.. _build.Select(t => t.Right)];
            _points = new double[k * d];
            for (var p = 0; p < k; p++)
            {
                source.AsSpan(_index[p] * d, d).CopyTo(_points.AsSpan(p * d, d));
            }
        }

        /// <summary>The column whose <see cref="SquaredEuclideanTiler{T}.Entry"/> is smallest (lowest on ties), among the
        /// columns within <paramref name="reach"/> of the nearest (in float64 squared distance).</summary>
        public int Nearest(ReadOnlySpan<double> query, double reach, ReadOnlySpan<T> xi, T xn, SquaredEuclideanTiler<T> tiler)
        {
            var state = (BestD: double.PositiveInfinity, BestK: T.PositiveInfinity, BestJ: int.MaxValue);
            Visit(0, query, reach, xi, xn, tiler, ref state);
            return state.BestJ;
        }

        private void Visit(int node, ReadOnlySpan<double> query, double reach, ReadOnlySpan<T> xi, T xn, SquaredEuclideanTiler<T> tiler, ref (double BestD, T BestK, int BestJ) state)
        {
            if (BoxDistance(node, query) * Down > (state.BestD + reach) * Up)
            {
                return;
            }

            var left = _left[node];
            if (left < 0)
            {
                var d = _d;
                for (var p = _start[node]; p < _start[node] + _count[node]; p++)
                {
                    var dist = 0.0;
                    for (var c = 0; c < d; c++)
                    {
                        var diff = query[c] - _points[(p * d) + c];
                        dist += diff * diff;
                    }

                    state.BestD = Math.Min(state.BestD, dist);
                    if (dist <= (state.BestD + reach) * Up)
                    {
                        var j = _index[p];
                        var entry = tiler.Entry(xi, xn, j, T.One);
                        if (entry < state.BestK || (entry == state.BestK && j < state.BestJ))
                        {
                            state.BestK = entry;
                            state.BestJ = j;
                        }
                    }
                }

                return;
            }

            var right = _right[node];
            var leftFirst = BoxDistance(left, query) <= BoxDistance(right, query);
            Visit(leftFirst ? left : right, query, reach, xi, xn, tiler, ref state);
            Visit(leftFirst ? right : left, query, reach, xi, xn, tiler, ref state);
        }

        private double BoxDistance(int node, ReadOnlySpan<double> query)
        {
            var d = _d;
            var box = _boxes.AsSpan(node * 2 * d, 2 * d);
            var sum = 0.0;
            for (var c = 0; c < d; c++)
            {
                var gap = Math.Max(Math.Max(box[c] - query[c], query[c] - box[d + c]), 0);
                sum += gap * gap;
            }

            return sum;
        }

        private int Build(double[] source, int start, int count)
        {
            var d = _d;
            var node = _build.Count;
            _build.Add((start, count, -1, -1));
            var lo = new double[d];
            var hi = new double[d];
            lo.AsSpan().Fill(double.PositiveInfinity);
            hi.AsSpan().Fill(double.NegativeInfinity);
            for (var p = start; p < start + count; p++)
            {
                for (var c = 0; c < d; c++)
                {
                    var value = source[(_index[p] * d) + c];
                    lo[c] = Math.Min(lo[c], value);
                    hi[c] = Math.Max(hi[c], value);
                }
            }

            _box.AddRange(lo);
            _box.AddRange(hi);
            var axis = 0;
            for (var c = 1; c < d; c++)
            {
                if (hi[c] - lo[c] > hi[axis] - lo[axis])
                {
                    axis = c;
                }
            }

            if (count <= LeafSize || !(hi[axis] > lo[axis]))
            {
                return node;
            }

            var keys = new double[count];
            for (var p = 0; p < count; p++)
            {
                keys[p] = source[(_index[start + p] * d) + axis];
            }

            keys.AsSpan().Sort(_index.AsSpan(start, count));
            var half = count / 2;
            var l = Build(source, start, half);
            var r = Build(source, start + half, count - half);
            _build[node] = (start, count, l, r);
            return node;
        }
    }
}
