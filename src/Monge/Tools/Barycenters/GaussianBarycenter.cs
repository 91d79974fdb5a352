using System.Diagnostics;
using Monge.Gaussian;
using Monge.Solvers;
using static Monge.Numerics.DenseLinearAlgebra;

namespace Monge.Tools.Barycenters;

/// <summary>
/// The 2-Wasserstein (Bures–Wasserstein) barycenter of Gaussian measures N(m_s, Σ_s) with weights w_s: the Gaussian
/// N(Σ_s w_s m_s, S) whose covariance solves S = Σ_s w_s (S^{1/2} Σ_s S^{1/2})^{1/2} (Agueh and Carlier 2011), found
/// by the fixed point of Álvarez-Esteban, del Barrio, Cuesta-Albertos and Matrán, "A fixed-point approach to
/// barycenters in Wasserstein space", J. Math. Anal. Appl. 441 (2016), Theorem 4.2:
/// S ← S^{-1/2} (Σ_s w_s (S^{1/2} Σ_s S^{1/2})^{1/2})² S^{-1/2}. An immutable options record.
/// </summary>
/// <remarks>
/// <para>The iteration starts from S₀ = (Σ_s w_s Σ_s^{1/2})², which is the barycenter itself when the covariances commute
/// (then it stops after one step), and stops when ‖S_{t+1} − S_t‖_F ≤ <see cref="Threshold"/>·‖S_{t+1}‖_F. Every
/// iterate is symmetric positive definite and the iteration converges for any positive definite start (ibid.).</para>
/// <para>Time: O(S·d³) per iteration (one symmetric eigen-decomposition per input and two for S); memory O(S·d²).</para>
/// </remarks>
public sealed record GaussianBarycenter
{
    /// <summary>Maximum number of fixed-point iterations (default 1000).</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Stop when the relative Frobenius change of S is at most this (default 1e-13).</summary>
    public double Threshold { get; init; } = 1e-13;

    /// <summary>The Bures barycenter of <paramref name="measures"/>.</summary>
    /// <param name="measures">The Gaussians (one dimension d).</param>
    /// <param name="lambdas">Their weights w_s (non-negative, positive sum, normalized to one; null: uniform).</param>
    /// <param name="initialCovariance">S₀ (d × d, symmetric positive definite); null: (Σ_s w_s Σ_s^{1/2})².</param>
    /// <param name="cancellationToken">Checked before every iteration; cancellation returns the current S with status Cancelled.</param>
    /// <returns>The barycenter, the objective Σ_s w_s W₂², the residual and the convergence report.</returns>
    /// <exception cref="InputValidationException">No input, dimensions that differ, invalid weights or options, or an initial covariance that is not symmetric positive definite.</exception>
    public GaussianBarycenterResult Solve(
        IReadOnlyList<GaussianMeasure> measures,
        IReadOnlyList<double>? lambdas = null,
        double[]? initialCovariance = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(measures);
        if (MaxIterations < 0 || !(Threshold >= 0))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Need MaxIterations ≥ 0 and a non-negative threshold (got {MaxIterations}, {Threshold}).");
        }

        var count = measures.Count;
        if (count < 1)
        {
            throw new InputValidationException(InputProblem.Empty, "A barycenter needs at least one input.", nameof(measures));
        }

        var d = measures[0]?.Dimension ?? 0;
        for (var k = 0; k < count; k++)
        {
            var measure = measures[k] ?? throw new ArgumentNullException(nameof(measures), $"Input {k} is null.");
            if (measure.Dimension != d)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"Input {k} has dimension {measure.Dimension}; input 0 has {d}.", nameof(measures), k);
            }
        }

        var w = BarycenterWeights.Normalize(lambdas, count, nameof(lambdas));

        var mean = new double[d];
        for (var k = 0; k < count; k++)
        {
            var m = measures[k].Mean;
            for (var c = 0; c < d; c++)
            {
                mean[c] += w[k] * m[c];
            }
        }

        var stopwatch = Stopwatch.StartNew();
        double[] s;
        if (initialCovariance is null)
        {
            var root = new double[d * d];
            for (var k = 0; k < count; k++)
            {
                var r = measures[k].SquareRoot;
                for (var e = 0; e < root.Length; e++)
                {
                    root[e] += w[k] * r[e];
                }
            }

            s = Multiply(root, root, d);
            Symmetrize(s, d);
        }
        else
        {
            // Validates shape, symmetry and positive definiteness.
            s = new GaussianMeasure(mean, initialCovariance).Covariance.ToArray();
        }

        var trace = new List<double>();
        var status = MaxIterations == 0 ? SolverStatus.Converged : SolverStatus.MaxIterations;
        var iterations = 0;
        var error = double.NaN;
        for (var t = 0; t < MaxIterations; t++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            var (root, inverseRoot) = Roots(s, d);
            var sum = WeightedRootSum(measures, w, root, d);
            var next = Multiply(Multiply(inverseRoot, Multiply(sum, sum, d), d), inverseRoot, d);
            Symmetrize(next, d);
            iterations++;
            var norm = Frobenius(next, null);
            error = Frobenius(next, s) / norm;
            if (!double.IsFinite(error))
            {
                status = SolverStatus.Diverged;
                break;
            }

            trace.Add(error);
            s = next;
            if (error <= Threshold)
            {
                status = SolverStatus.Converged;
                break;
            }
        }

        var barycenter = new GaussianMeasure(mean, s);
        var values = new double[count];
        var objective = 0.0;
        for (var k = 0; k < count; k++)
        {
            values[k] = GaussianTransport.WassersteinSquared(barycenter, measures[k]);
            objective += w[k] * values[k];
        }

        var (finalRoot, _) = Roots(barycenter.Covariance.ToArray(), d);
        var residual = Frobenius(barycenter.Covariance.ToArray(), WeightedRootSum(measures, w, finalRoot, d)) / Frobenius(barycenter.Covariance.ToArray(), null);
        return new GaussianBarycenterResult(barycenter, values, objective, residual, new Convergence(status, iterations, error, Threshold, trace, stopwatch.Elapsed));
    }

    private static (double[] Root, double[] InverseRoot) Roots(double[] s, int d)
    {
        var values = new double[d];
        var vectors = new double[d * d];
        SymmetricEigen(s, d, values, vectors);
        return (Compose(values, vectors, d, v => Math.Sqrt(Math.Max(v, 0))), Compose(values, vectors, d, v => 1 / Math.Sqrt(v)));
    }

    // Σ_s w_s (R Σ_s R)^{1/2} with R = S^{1/2}.
    private static double[] WeightedRootSum(IReadOnlyList<GaussianMeasure> measures, double[] w, double[] root, int d)
    {
        var sum = new double[d * d];
        for (var k = 0; k < measures.Count; k++)
        {
            if (w[k] == 0)
            {
                continue;
            }

            var inner = Multiply(Multiply(root, measures[k].Covariance, d), root, d);
            Symmetrize(inner, d);
            var r = Function(inner, d, v => Math.Sqrt(Math.Max(v, 0)));
            for (var e = 0; e < sum.Length; e++)
            {
                sum[e] += w[k] * r[e];
            }
        }

        Symmetrize(sum, d);
        return sum;
    }

    private static double Frobenius(double[] a, double[]? b)
    {
        var total = 0.0;
        for (var e = 0; e < a.Length; e++)
        {
            var v = b is null ? a[e] : a[e] - b[e];
            total += v * v;
        }

        return Math.Sqrt(total);
    }
}
