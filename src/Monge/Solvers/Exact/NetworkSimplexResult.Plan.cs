using Monge.Geometry;

namespace Monge.Solvers.Exact;

/// <content>The plan contract (<see cref="ITransportPlan{T}"/>) on the sparse optimal plan, and the potentials named F and G.</content>
public sealed partial record NetworkSimplexResult : ITransportPlan<double>
{
    /// <summary>The source potential f (the same array as <see cref="SourcePotentials"/>; F and G are the names every result uses).</summary>
    public double[] F => SourcePotentials;

    /// <summary>The target potential g (the same array as <see cref="TargetPotentials"/>).</summary>
    public double[] G => TargetPotentials;

    /// <summary>The row marginal P1 (length n): the source weights the plan was solved with.</summary>
    public double[] SourceMarginal
    {
        get
        {
            var result = new double[SourceCount];
            for (var k = 0; k < Rows.Length; k++)
            {
                result[Rows[k]] += Mass[k];
            }

            return result;
        }
    }

    /// <summary>The column marginal Pᵀ1 (length m).</summary>
    public double[] TargetMarginal
    {
        get
        {
            var result = new double[TargetCount];
            for (var k = 0; k < Columns.Length; k++)
            {
                result[Columns[k]] += Mass[k];
            }

            return result;
        }
    }

    /// <inheritdoc />
    /// <remarks>O(nonzeros) time: the plan has at most n + m − 1 nonzeros.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => ApplyPlan(vector, 1, axis);

    /// <inheritdoc />
    /// <remarks>O(nonzeros·k) time.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis)
    {
        var (inLength, outLength) = axis == Axis.Rows ? (TargetCount, SourceCount) : (SourceCount, TargetCount);
        if (columns < 1 || block.Length != (long)inLength * columns)
        {
            throw new ArgumentException($"Expected {inLength} × {columns} values for axis {axis} (got {block.Length}).", nameof(block));
        }

        var result = new double[outLength * columns];
        var (from, to) = axis == Axis.Rows ? (Columns, Rows) : (Rows, Columns);
        for (var e = 0; e < Mass.Length; e++)
        {
            var src = block.Slice(from[e] * columns, columns);
            var dst = result.AsSpan(to[e] * columns, columns);
            for (var q = 0; q < columns; q++)
            {
                dst[q] += Mass[e] * src[q];
            }
        }

        return result;
    }
}
