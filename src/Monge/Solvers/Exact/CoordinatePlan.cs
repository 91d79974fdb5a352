using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.Exact;

/// <summary>The plan contract's products on a plan in coordinate form (rows, columns, masses): shared by the exact results.</summary>
internal static class CoordinatePlan
{
    /// <summary>The row (<see cref="Axis.Columns"/>: column) sums of the plan.</summary>
    public static double[] Marginal(int[] index, double[] mass, int length)
    {
        var result = new double[length];
        for (var k = 0; k < index.Length; k++)
        {
            result[index[k]] += mass[k];
        }

        return result;
    }

    /// <summary>P·V (<see cref="Axis.Rows"/>) or Pᵀ·U (<see cref="Axis.Columns"/>) for k row-major columns, in O(nonzeros·k).</summary>
    public static double[] Apply(int[] rows, int[] columns, double[] mass, int n, int m, ReadOnlySpan<double> block, int k, Axis axis)
    {
        var (inLength, outLength) = axis == Axis.Rows ? (m, n) : (n, m);
        if (k < 1 || block.Length != (long)inLength * k)
        {
            throw new ArgumentException($"Expected {inLength} × {k} values for axis {axis} (got {block.Length}).", nameof(block));
        }

        var result = new double[outLength * k];
        var (from, to) = axis == Axis.Rows ? (columns, rows) : (rows, columns);
        for (var e = 0; e < mass.Length; e++)
        {
            var src = block.Slice(from[e] * k, k);
            var dst = result.AsSpan(to[e] * k, k);
            for (var q = 0; q < k; q++)
            {
                dst[q] += mass[e] * src[q];
            }
        }

        return result;
    }

    /// <summary>The dense row-major n × m plan, guarded by <see cref="PlanSize.EnsureDense{T}"/>.</summary>
    public static double[] ToDense(int[] rows, int[] columns, double[] mass, int n, int m, long maxEntries)
    {
        var dense = new double[PlanSize.EnsureDense<double>(n, m, maxEntries, "plan")];
        for (var k = 0; k < mass.Length; k++)
        {
            dense[((long)rows[k] * m) + columns[k]] += mass[k];
        }

        return dense;
    }
}
