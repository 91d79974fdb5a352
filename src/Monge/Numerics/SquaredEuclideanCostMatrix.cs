using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Numerics;

/// <summary>
/// Builds the dense squared Euclidean cost matrix C_ij = max(0, |x_i|² + |y_j|² − 2⟨x_i, y_j⟩) with matrix products:
/// the targets are transposed once (d × m), then each block of rows is one rank-d update of the row
/// |x_i|² + |y|² by −2·x_i·Yᵀ (<see cref="TensorPrimitives.MultiplyAdd{T}(ReadOnlySpan{T}, T, ReadOnlySpan{T}, Span{T})"/>
/// sweeps over a row that stays in cache), clamped at zero.
/// </summary>
/// <remarks>
/// Time O(n·m·d) at SIMD speed, parallel over row blocks; memory: the n × m result plus a d × m transposed copy of the
/// targets. Pass coordinates centered at a common point (the cost is translation invariant) to keep the expansion
/// accurate. The exact assignment solver's rows are built the same way on the <c>exact</c> branch; the two are meant to
/// be one builder.
/// </remarks>
internal static class SquaredEuclideanCostMatrix
{
    private const int RowsPerTask = 32;

    /// <summary>Builds the n × m row-major matrix s·C.</summary>
    /// <param name="x">Source coordinates, n × d row-major.</param>
    /// <param name="xNorms">|x_i|² (length n).</param>
    /// <param name="y">Target coordinates, m × d row-major.</param>
    /// <param name="yNorms">|y_j|² (length m).</param>
    /// <param name="d">The dimension.</param>
    /// <param name="scale">s, applied to every entry (1 is exact).</param>
    public static T[] Build<T>(T[] x, T[] xNorms, T[] y, T[] yNorms, int d, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = xNorms.Length;
        var m = yNorms.Length;
        var yt = DenseLinearAlgebra.Transpose<T>(y, m, d);
        var dst = new T[(long)n * m];
        var minusTwo = T.CreateTruncating(-2);
        var tasks = (n + RowsPerTask - 1) / RowsPerTask;
        Parallel.For(0, tasks, t =>
        {
            var i0 = t * RowsPerTask;
            var count = Math.Min(RowsPerTask, n - i0);
            for (var i = i0; i < i0 + count; i++)
            {
                var row = dst.AsSpan((int)((long)i * m), m);
                TensorPrimitives.Add(yNorms, xNorms[i], row);
                for (var k = 0; k < d; k++)
                {
                    TensorPrimitives.MultiplyAdd(yt.AsSpan(k * m, m), minusTwo * x[(i * d) + k], row, row);
                }

                TensorPrimitives.Max(row, T.Zero, row);
                if (scale != T.One)
                {
                    TensorPrimitives.Multiply(row, scale, row);
                }
            }
        });
        return dst;
    }
}
