using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// The result of <see cref="GromovWasserstein"/>: a dense coupling P (n × m) of the problem's weights, the objective in
/// POT's convention and its two parts, and the Frank-Wolfe gap at P.
/// </summary>
/// <remarks>Memory: the n × m plan. <see cref="ITransportPlan{T}.Cost"/> is the objective (1 − α)⟨M, P⟩ + α·GW(P), not a
/// linear cost ⟨C, P⟩ (a quadratic problem has no single C).</remarks>
public sealed class GromovWassersteinResult : ITransportPlan<double>
{
    private readonly double[] _plan;

    internal GromovWassersteinResult(double[] plan, int rows, int cols, double cost, double gwCost, double linearCost, double fwGap, double alpha, Convergence convergence)
    {
        _plan = plan;
        SourceCount = rows;
        TargetCount = cols;
        Cost = cost;
        GwCost = gwCost;
        LinearCost = linearCost;
        FwGap = fwGap;
        Alpha = alpha;
        Convergence = convergence;
    }

    /// <inheritdoc />
    public int SourceCount { get; }

    /// <inheritdoc />
    public int TargetCount { get; }

    /// <summary>The objective (1 − α)·⟨M, P⟩ + α·GW(P) (GW(P) for a plain problem), POT's value convention.</summary>
    public double Cost { get; }

    /// <summary>GW(P) = Σ L(C1_ik, C2_jl) P_ij P_kl (no ½, no root).</summary>
    public double GwCost { get; }

    /// <summary>⟨M, P⟩ of a fused problem; 0 for plain GW.</summary>
    public double LinearCost { get; }

    /// <summary>
    /// The Frank-Wolfe gap ⟨∇f(P), P − S⟩ ≥ 0 at the returned plan, S the exact minimizer of the linearized problem: an
    /// upper bound on how much any feasible move can decrease the linearization; 0 at a stationary point. NaN when
    /// the run was cancelled.
    /// </summary>
    public double FwGap { get; }

    /// <summary>The fusion weight α of the problem (1 for plain GW).</summary>
    public double Alpha { get; }

    /// <summary>Status, outer iterations, the objective after each step (<see cref="Convergence.ErrorTrace"/>, POT's
    /// <c>log['loss']</c>) and the last relative change (<see cref="Convergence.FinalError"/>).</summary>
    public Convergence Convergence { get; }

    /// <summary>The plan, row-major n × m.</summary>
    public ReadOnlySpan<double> Plan => _plan;

    /// <inheritdoc />
    public double[] SourceMarginal => DenseLinearAlgebra.RowSums(_plan, SourceCount, TargetCount);

    /// <inheritdoc />
    public double[] TargetMarginal => DenseLinearAlgebra.ColumnSums(_plan, SourceCount, TargetCount);

    /// <inheritdoc />
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => ApplyPlan(vector, 1, axis);

    /// <inheritdoc />
    /// <remarks>O(n·m·k).</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis)
    {
        var (inLength, outLength) = axis == Axis.Rows ? (TargetCount, SourceCount) : (SourceCount, TargetCount);
        if (columns < 1 || block.Length != (long)inLength * columns)
        {
            throw new ArgumentException($"The block has length {block.Length}; expected {inLength} × {columns} with at least one column.", nameof(block));
        }

        var geometry = new DenseGeometry<double>(_plan, SourceCount, TargetCount);
        var result = new double[(long)outLength * columns];
        geometry.ApplyCost(block, columns, axis, result);
        return result;
    }

    /// <inheritdoc />
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries)
    {
        PlanSize.EnsureDense<double>(SourceCount, TargetCount, maxEntries, "Gromov-Wasserstein plan");
        return (double[])_plan.Clone();
    }

    /// <summary>
    /// A hard matching: for each source point i, the target j with the largest P_ij (ties to the smaller j). For a
    /// plan that is a permutation (n = m, uniform weights, a vertex) this is that permutation.
    /// </summary>
    /// <returns>Target index per source point.</returns>
    public int[] HardAssignment()
    {
        var m = TargetCount;
        var result = new int[SourceCount];
        for (var i = 0; i < SourceCount; i++)
        {
            var row = _plan.AsSpan(i * m, m);
            var best = 0;
            for (var j = 1; j < m; j++)
            {
                if (row[j] > row[best])
                {
                    best = j;
                }
            }

            result[i] = best;
        }

        return result;
    }

    /// <summary>The nonzero entries of the plan above <paramref name="threshold"/> in coordinate form (row-major order).</summary>
    /// <param name="threshold">Entries ≤ this are dropped (default 0: exact zeros only).</param>
    /// <returns>Rows, columns and masses.</returns>
    public (int[] Rows, int[] Columns, double[] Mass) ToCoordinates(double threshold = 0)
    {
        var rows = new List<int>();
        var cols = new List<int>();
        var mass = new List<double>();
        var m = TargetCount;
        for (var i = 0; i < SourceCount; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var x = _plan[(i * m) + j];
                if (x > threshold)
                {
                    rows.Add(i);
                    cols.Add(j);
                    mass.Add(x);
                }
            }
        }

        return (rows.ToArray(), cols.ToArray(), mass.ToArray());
    }
}
