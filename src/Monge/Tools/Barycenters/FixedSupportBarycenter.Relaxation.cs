using Monge.Solvers.Entropic;

namespace Monge.Tools.Barycenters;

/// <content>Over-relaxation of the barycenter-side update (balanced, not debiased), shared by the log and kernel paths.</content>
public sealed partial record FixedSupportBarycenter
{
    /// <summary>
    /// Over-relaxation ω ∈ (0, 2) of the barycenter-side update on a balanced, not debiased problem: g_k ← (1 − ω)·g_k +
    /// ω·ε(log q − L_k) (in the kernel domain v_k ← v_k^{1−ω}·(q / K u_k)^ω). The fixed point is IBP's, the input-side
    /// update stays exact (every plan has its input marginal when the error is measured), so the stopping rule means what it
    /// means for POT. Null (default): adaptive, starting at 1 (plain IBP, POT's iteration) and raised from the observed linear
    /// rate towards 2 / (1 + √(1 − η)) (at most 1.95), as <see cref="Solvers.Entropic.Sinkhorn.Momentum"/>; an iterate whose error
    /// exceeds 10× the best seen is rolled back to the best one and ω − 1 halved (ω = 1 after three). 1: plain IBP. Ignored
    /// (plain IBP) when unbalanced or debiased. No extra time per iteration; memory: one more copy of the K potentials.
    /// </summary>
    public double? Momentum { get; init; }

    /// <summary>The over-relaxation controller of one run, with the best iterate kept for rollbacks; null when plain IBP.</summary>
    private Relaxer? CreateRelaxer(int k, int n, bool balanced) =>
        balanced && !Debiased && Momentum != 1 ? new Relaxer(Momentum, k, n) : null;

    /// <summary>ω, the best error seen and the iterate (g_k or v_k) that gave it.</summary>
    private sealed class Relaxer(double? momentum, int k, int n)
    {
        private readonly OverRelaxation _control = new(momentum);
        private readonly double[][] _best = Enumerable.Range(0, k).Select(_ => new double[n]).ToArray();
        private double _bestError = double.PositiveInfinity;

        /// <summary>
        /// Drops the best iterate (the kernel path hands over to the log path, whose iterate is in other units); ω and its
        /// history carry on, so the log path continues with the ω a log-only run would have.
        /// </summary>
        public void Forget() => _bestError = double.PositiveInfinity;

        /// <summary>The ω of the next update.</summary>
        public double Omega => _control.Omega;

        /// <summary>
        /// Records the error of <paramref name="iterate"/> (the barycenter-side scalings or potentials it was measured
        /// from). Returns true when it was rolled back: <paramref name="iterate"/> then holds the best iterate again and the
        /// caller skips this iteration's update.
        /// </summary>
        public bool Rollback(double error, double[][] iterate)
        {
            if (error > OverRelaxation.GrowthFactor * _bestError || !double.IsFinite(error))
            {
                for (var s = 0; s < iterate.Length; s++)
                {
                    Array.Copy(_best[s], iterate[s], iterate[s].Length);
                }

                _control.RolledBack();
                return true;
            }

            if (error < _bestError)
            {
                _bestError = error;
                for (var s = 0; s < iterate.Length; s++)
                {
                    Array.Copy(iterate[s], _best[s], iterate[s].Length);
                }
            }

            _control.Observe(error, 1);
            return false;
        }
    }
}
