namespace Monge.Problems;

/// <summary>
/// The loss L(c1, c2) that compares an intra-source cost with an intra-target cost in a Gromov-Wasserstein objective
/// GW(P) = Σ_ijkl L(C1_ik, C2_jl) P_ij P_kl (POT's <c>loss_fun</c>, OTT-JAX's <c>GWLoss</c>). Both decompose as
/// L(a, b) = f1(a) + f2(b) − h1(a)·h2(b) (Peyré, Cuturi and Solomon, ICML 2016, Prop. 1), which is what makes the
/// tensor product L ⊗ P cost O(n²m + nm²) instead of O(n²m²).
/// </summary>
public enum GromovLoss
{
    /// <summary>L(a, b) = (a − b)²: f1(a) = a², f2(b) = b², h1(a) = a, h2(b) = 2b (POT <c>square_loss</c>).</summary>
    Square,

    /// <summary>
    /// L(a, b) = a log(a / b) − a + b: f1(a) = a log a − a, f2(b) = b, h1(a) = a, h2(b) = log b (POT <c>kl_loss</c>).
    /// Costs must be non-negative; as in POT, logarithms are taken of c + 1e-15 so zero costs stay finite.
    /// </summary>
    KullbackLeibler,
}
