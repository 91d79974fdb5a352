using System.Numerics.Tensors;
using Monge.Problems;
using Monge.Solvers.Exact;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// Mémoli's third lower bound (TLB) of Gromov-Wasserstein (Mémoli, "Gromov-Wasserstein distances and the metric
/// approach to object matching", Found. Comput. Math. 11, 2011, §6; OTT-JAX <c>third_lower_bound</c>): a cheap
/// certificate of how far from zero any coupling's GW value must be. For each pair (i, j) the 1-D optimal transport
/// W_ij between the distance distributions μ_i = Σ_k a_k δ(C1_ik) and ν_j = Σ_l b_l δ(C2_jl) under the loss L, then
/// TLB = min over couplings P of Σ_ij P_ij·W_ij (exact OT on W). For a fused problem the bound is
/// min_P Σ P_ij ((1 − α) M_ij + α W_ij).
/// </summary>
/// <remarks>
/// <para>Why it is a bound: for any coupling P of a and b, Σ_kl L(C1_ik, C2_jl) P_kl ≥ W_ij because P is a coupling of
/// the weights of μ_i and ν_j; multiplying by P_ij and summing gives GW(P) ≥ Σ P_ij W_ij ≥ TLB (POT's convention, no ½).
/// Both losses have ∂²L/∂a∂b &lt; 0 (submodular), so the sorted (monotone) coupling is the optimal 1-D plan.</para>
/// <para>Cost: sorting every row of C1 and C2 (O(n² log n + m² log m)), n·m merges of O(n + m) each (parallel over i), one
/// network simplex on the n × m matrix W; memory O(n² + m² + nm). Zero for isometric inputs; no lower bound is tight
/// in general.</para>
/// </remarks>
public static class GromovLowerBound
{
    /// <summary>Computes the third lower bound of a balanced quadratic problem (plain or fused).</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="cancellationToken">Cancels the merges and the network simplex.</param>
    /// <returns>TLB ≤ min_P objective(P).</returns>
    /// <exception cref="InputValidationException">A relaxed problem.</exception>
    public static double Compute(QuadraticProblem<double> problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (!problem.IsBalanced)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "The third lower bound is defined here for balanced problems.", nameof(problem));
        }

        var n = problem.Rows;
        var m = problem.Cols;
        var a = problem.A.ToArray();
        var b = problem.B.ToArray();
        TensorPrimitives.Multiply(b, problem.MassA / problem.MassB, b);
        var (xv, xw) = SortedRows(problem.GeometryX.ToDense(long.MaxValue), a, n);
        var (yv, yw) = SortedRows(problem.GeometryY.ToDense(long.MaxValue), b, m);
        var square = problem.Loss == GromovLoss.Square;
        var w = new double[(long)n * m];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            for (var j = 0; j < m; j++)
            {
                w[((long)i * m) + j] = Merge(xv.AsSpan(i * n, n), xw.AsSpan(i * n, n), yv.AsSpan(j * m, m), yw.AsSpan(j * m, m), square);
            }
        });

        if (problem.LinearGeometry is { } linear)
        {
            var alpha = problem.Alpha;
            var row = new double[m];
            for (var i = 0; i < n; i++)
            {
                linear.FillCostBlock(i, 1, 0, m, row);
                var wi = w.AsSpan(i * m, m);
                TensorPrimitives.Multiply(wi, alpha, wi);
                TensorPrimitives.MultiplyAdd(row, 1 - alpha, wi, wi);
            }
        }

        return new NetworkSimplex().Solve(w, a, b, null, cancellationToken).Cost;
    }

    /// <summary>Each row of C sorted ascending, with the weights permuted alongside.</summary>
    private static (double[] Values, double[] Weights) SortedRows(double[] c, double[] weights, int n)
    {
        var values = (double[])c.Clone();
        var w = new double[values.Length];
        for (var i = 0; i < n; i++)
        {
            weights.CopyTo(w, i * n);
            Array.Sort(values, w, i * n, n);
        }

        return (values, w);
    }

    /// <summary>1-D OT between sorted (u, a) and (v, b) under L by the monotone coupling (the north-west corner rule on sorted supports).</summary>
    private static double Merge(ReadOnlySpan<double> u, ReadOnlySpan<double> a, ReadOnlySpan<double> v, ReadOnlySpan<double> b, bool square)
    {
        int k = 0, l = 0;
        var ra = a[0];
        var rb = b[0];
        var sum = 0.0;
        while (k < u.Length && l < v.Length)
        {
            var loss = square ? (u[k] - v[l]) * (u[k] - v[l]) : (u[k] * Math.Log((u[k] + 1e-15) / (v[l] + 1e-15))) - u[k] + v[l];
            if (ra <= rb)
            {
                sum += ra * loss;
                rb -= ra;
                if (++k < u.Length)
                {
                    ra = a[k];
                }
            }
            else
            {
                sum += rb * loss;
                ra -= rb;
                if (++l < v.Length)
                {
                    rb = b[l];
                }
            }
        }

        return sum;
    }
}
