using Monge.Gaussian;
using Monge.Solvers;

namespace Monge.Tools.Barycenters;

/// <summary>The result of <see cref="GaussianBarycenter"/>: the barycenter N(m, S), the objective and the fixed-point report.</summary>
public sealed class GaussianBarycenterResult
{
    private readonly double[] _values;

    internal GaussianBarycenterResult(GaussianMeasure barycenter, double[] values, double objective, double residual, Convergence convergence)
    {
        Barycenter = barycenter;
        _values = values;
        Objective = objective;
        Residual = residual;
        Convergence = convergence;
    }

    /// <summary>The barycenter N(Σ_s w_s m_s, S).</summary>
    public GaussianMeasure Barycenter { get; }

    /// <summary>Σ_s w_s W₂²(barycenter, μ_s) (Bures–Wasserstein, weights normalized to one).</summary>
    public double Objective { get; }

    /// <summary>W₂²(barycenter, μ_s) for each input.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>
    /// ‖S − Σ_s w_s (S^{1/2} Σ_s S^{1/2})^{1/2}‖_F / ‖S‖_F: the relative residual of the barycenter equation (zero at the
    /// barycenter; Álvarez-Esteban et al. 2016, Theorem 4.2).
    /// </summary>
    public double Residual { get; }

    /// <summary>Fixed-point iterations, the trace of ‖S_{t+1} − S_t‖_F / ‖S_{t+1}‖_F, the threshold and the time.</summary>
    public Convergence Convergence { get; }

    /// <summary>Whether the fixed point met its threshold.</summary>
    public bool Converged => Convergence.Converged;
}
