using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Solvers.LowRank;

/// <summary>
/// The objective seen by the FRLC mirror-descent loop, as a function of the coupling P = Q Λ Rᵀ with
/// Λ = diag(1/g_Q) T diag(1/g_R). An objective gives the gradients at fixed inner marginals (g_Q, g_R):
/// ∂/∂Q = G R Λᵀ, ∂/∂R = Gᵀ Q Λ and ∂/∂Λ = Qᵀ G R with G = ∂L/∂P; the solver adds the rank-one terms that come
/// from g_Q = Qᵀ1 and g_R = Rᵀ1 (they have the same form for every objective of P). Wasserstein is
/// <see cref="WassersteinObjective"/>; Gromov–Wasserstein and fused GW slot in as further subclasses.
/// </summary>
internal abstract class LatentObjective
{
    /// <summary>Called after R changed (for example to refresh C·R).</summary>
    public abstract void OnTargetFactorChanged(double[] r, int m, int r2);

    /// <summary>Called after Q changed (for example to invalidate Cᵀ·Q).</summary>
    public abstract void OnSourceFactorChanged(double[] q, int n, int r1);

    /// <summary>dst (n × r1) = ∂L/∂Q at fixed g_Q.</summary>
    public abstract void GradientSource(double[] q, double[] lambda, int n, int r1, int r2, double[] dst);

    /// <summary>dst (m × r2) = ∂L/∂R at fixed g_R.</summary>
    public abstract void GradientTarget(double[] q, double[] lambda, int m, int r1, int r2, double[] dst);

    /// <summary>dst (r1 × r2) = ∂L/∂Λ.</summary>
    public abstract void GradientLatent(double[] q, int n, int r1, int r2, double[] dst);

    /// <summary>The objective value at the current factors, given ∂L/∂Λ from <see cref="GradientLatent"/> (for linear objectives L = ⟨∂L/∂Λ, Λ⟩).</summary>
    public abstract double Value(double[] gradientLatent, double[] lambda);
}

/// <summary>
/// The Wasserstein objective ⟨C, Q Λ Rᵀ⟩. Keeps C·R (n × r2) for the current R and Cᵀ·Q (m × r1) for the current Q:
/// two cost products per outer iteration.
/// </summary>
internal sealed class WassersteinObjective : LatentObjective
{
    private readonly CostProducts _cost;
    private double[]? _cr;
    private double[]? _ctq;
    private double[]? _q;
    private int _r1;
    private bool _ctqStale = true;

    public WassersteinObjective(CostProducts cost) => _cost = cost;

    /// <summary>Number of cost products applied so far (C·R and Cᵀ·Q).</summary>
    public int Products { get; private set; }

    public override void OnTargetFactorChanged(double[] r, int m, int r2)
    {
        _cr ??= new double[(long)_cost.Rows * r2];
        _cost.Apply(r, r2, _cr);
        Products++;
    }

    public override void OnSourceFactorChanged(double[] q, int n, int r1)
    {
        _q = q;
        _r1 = r1;
        _ctqStale = true;
    }

    public override void GradientSource(double[] q, double[] lambda, int n, int r1, int r2, double[] dst)
    {
        // ∇Q = (C R) Λᵀ: dst_ik = Σ_l (CR)_il Λ_kl.
        DenseLinearAlgebra.MultiplyByTranspose(_cr!, n, r2, lambda, r1, dst);
    }

    public override void GradientTarget(double[] q, double[] lambda, int m, int r1, int r2, double[] dst)
    {
        if (_ctqStale || !ReferenceEquals(q, _q))
        {
            _ctq ??= new double[(long)_cost.Cols * r1];
            _cost.ApplyTranspose(q, r1, _ctq);
            Products++;
            _q = q;
            _ctqStale = false;
        }

        // ∇R = (Cᵀ Q) Λ.
        DenseLinearAlgebra.Multiply(_ctq!, null, m, r1, lambda, r2, dst);
    }

    public override void GradientLatent(double[] q, int n, int r1, int r2, double[] dst)
    {
        // Qᵀ (C R).
        DenseLinearAlgebra.MultiplyTransposed(q, null, n, r1, _cr!, r2, dst);
    }

    public override double Value(double[] gradientLatent, double[] lambda) => TensorPrimitives.Dot(gradientLatent, lambda);
}
