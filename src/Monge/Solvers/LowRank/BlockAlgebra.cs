using System.Numerics.Tensors;

namespace Monge.Solvers.LowRank;

/// <summary>Small dense products on row-major blocks (n×k times k×r and their transposes), parallel over rows.</summary>
internal static class BlockAlgebra
{
    /// <summary>dst (n×r) = A (n×k) · X (k×r). Rows of A can be taken through an index map.</summary>
    internal static void Multiply(double[] a, int[]? rowMap, int n, int k, double[] x, int r, double[] dst)
    {
        EntropicProjection.ForRows(n, k * r / 4 + 1, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                var src = rowMap is null ? i : rowMap[i];
                var arow = a.AsSpan(src * k, k);
                var drow = dst.AsSpan(i * r, r);
                drow.Clear();
                for (var l = 0; l < k; l++)
                {
                    var c = arow[l];
                    if (c != 0)
                    {
                        TensorPrimitives.MultiplyAdd(x.AsSpan(l * r, r), c, drow, drow);
                    }
                }
            }
        });
    }

    /// <summary>dst (k×r) = Aᵀ (k×n) · Y (n×r). Rows of A can be taken through an index map.</summary>
    internal static void MultiplyTransposed(double[] a, int[]? rowMap, int n, int k, double[] y, int r, double[] dst)
    {
        var work = (long)n * k * r;
        var chunks = work < (1 << 16) ? 1 : Math.Min(Environment.ProcessorCount * 2, Math.Max(1, n / 256));
        var partials = new double[chunks * k * r];
        void Body(int c)
        {
            var start = (int)((long)n * c / chunks);
            var end = (int)((long)n * (c + 1) / chunks);
            var acc = partials.AsSpan(c * k * r, k * r);
            for (var i = start; i < end; i++)
            {
                var src = rowMap is null ? i : rowMap[i];
                var arow = a.AsSpan(src * k, k);
                var yrow = y.AsSpan(i * r, r);
                for (var l = 0; l < k; l++)
                {
                    var s = arow[l];
                    if (s != 0)
                    {
                        var accRow = acc.Slice(l * r, r);
                        TensorPrimitives.MultiplyAdd(yrow, s, accRow, accRow);
                    }
                }
            }
        }

        if (chunks == 1)
        {
            Body(0);
        }
        else
        {
            Parallel.For(0, chunks, Body);
        }

        partials.AsSpan(0, k * r).CopyTo(dst);
        for (var c = 1; c < chunks; c++)
        {
            TensorPrimitives.Add(dst.AsSpan(0, k * r), partials.AsSpan(c * k * r, k * r), dst.AsSpan(0, k * r));
        }
    }

    /// <summary>dst (n×r) = X (n×k) · Mᵀ where M is r×k (so dst_i = M x_i).</summary>
    internal static void MultiplyByTranspose(double[] x, int n, int k, double[] m, int r, double[] dst)
    {
        EntropicProjection.ForRows(n, k * r / 4 + 1, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                var xrow = x.AsSpan(i * k, k);
                for (var l = 0; l < r; l++)
                {
                    dst[(i * r) + l] = TensorPrimitives.Dot(xrow, m.AsSpan(l * k, k));
                }
            }
        });
    }

    /// <summary>Column sums of a row-major n×r block.</summary>
    internal static double[] ColumnSums(double[] x, int n, int r)
    {
        var s = new double[r];
        for (var i = 0; i < n; i++)
        {
            TensorPrimitives.Add(s, x.AsSpan(i * r, r), s);
        }

        return s;
    }

    /// <summary>Row sums of a row-major n×r block.</summary>
    internal static double[] RowSums(double[] x, int n, int r)
    {
        var s = new double[n];
        for (var i = 0; i < n; i++)
        {
            s[i] = TensorPrimitives.Sum<double>(x.AsSpan(i * r, r));
        }

        return s;
    }

    /// <summary>Transposes a row-major rows×cols matrix.</summary>
    internal static double[] Transpose(double[] x, int rows, int cols)
    {
        var t = new double[x.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                t[(j * rows) + i] = x[(i * cols) + j];
            }
        }

        return t;
    }
}
