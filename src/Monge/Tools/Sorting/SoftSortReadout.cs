namespace Monge.Tools.Sorting;

/// <summary>
/// How an operator reads its values off the plan P (n×m): a column readout out_k = (Pᵀh)_{j_k}/b_{j_k} for selected
/// targets j_k (sort, quantiles; h = the raw inputs), or a row readout out_i = (P t)_i / a_i (ranks, top-k mask,
/// quantile normalization; t = fixed target values).
/// </summary>
internal sealed class SoftSortReadout
{
    private readonly double[]? _inputs;
    private readonly double _center;
    private readonly int[]? _columns;
    private readonly double[]? _targetValues;

    private SoftSortReadout(double[]? inputs, int[]? columns, double[]? targetValues)
    {
        // The column readout uses z − z̄ (Σ_i P_ij = b_j, so out_j = z̄ + (Pᵀ(z − z̄))_j / b_j): no cancellation for
        // inputs far from zero, in the values and in the gradient.
        if (inputs is not null)
        {
            _center = inputs.Average();
            inputs = Array.ConvertAll(inputs, v => v - _center);
        }

        _inputs = inputs;
        _columns = columns;
        _targetValues = targetValues;
    }

    /// <summary>out_k = Σ_i P_{i,j_k} z_i / b_{j_k} (z is copied).</summary>
    public static SoftSortReadout Columns(double[] inputs, int[] columns) => new(inputs, columns, null);

    /// <summary>out_i = Σ_j P_ij t_j / a_i.</summary>
    public static SoftSortReadout Rows(double[] targetValues) => new(null, null, targetValues);

    public double[] Evaluate(SoftSortTransport transport)
    {
        if (_targetValues is not null)
        {
            var pt = transport.ApplyRows(_targetValues, 1);
            for (var i = 0; i < pt.Length; i++)
            {
                pt[i] /= transport.A[i];
            }

            return pt;
        }

        var ptz = transport.ApplyColumns(_inputs!, 1);
        var values = new double[_columns!.Length];
        for (var k = 0; k < values.Length; k++)
        {
            var j = _columns[k];
            values[k] = _center + (ptz[j] / transport.B[j]);
        }

        return values;
    }

    public double[] Vjp(SoftSortTransport transport, ReadOnlySpan<double> cotangent)
    {
        var n = transport.N;
        var m = transport.M;
        if (_targetValues is not null)
        {
            // G_ij = (c_i / a_i)·t_j.
            var alpha = new double[n];
            for (var i = 0; i < n; i++)
            {
                alpha[i] = cotangent[i] / transport.A[i];
            }

            return transport.PlanGradient(alpha, _targetValues);
        }

        // G_ij = z_i·(c_j / b_j) on the selected columns, plus the direct term ∂out_j/∂z_i = P_ij / b_j.
        var beta = new double[m];
        for (var k = 0; k < _columns!.Length; k++)
        {
            var j = _columns[k];
            beta[j] += cotangent[k] / transport.B[j];
        }

        var gradient = transport.PlanGradient(_inputs!, beta);
        var direct = transport.ApplyRows(beta, 1);
        for (var i = 0; i < n; i++)
        {
            gradient[i] += direct[i];
        }

        return gradient;
    }
}
