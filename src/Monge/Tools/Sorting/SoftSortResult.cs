using Monge.Solvers;

namespace Monge.Tools.Sorting;

/// <summary>
/// The output of a <see cref="SoftSort"/> operator: its values, the Sinkhorn report, and the vector-Jacobian product
/// <see cref="Vjp"/> with respect to the inputs.
/// </summary>
/// <remarks>
/// The result keeps the transport (O(n + m) memory: inputs, weights and potentials); the first <see cref="Vjp"/> on a
/// problem with n·m ≤ 4·10⁶ also caches the n×m plan (8 bytes per entry) so later products need no exponentials.
/// </remarks>
public sealed class SoftSortResult
{
    private readonly SoftSortTransport _transport;
    private readonly SoftSortReadout _readout;

    internal SoftSortResult(double[] values, SoftSortTransport transport, SoftSortReadout readout)
    {
        Values = values;
        _transport = transport;
        _readout = readout;
    }

    /// <summary>The operator's output (sorted values, ranks, quantiles, mask or normalized values).</summary>
    public double[] Values { get; }

    /// <summary>The number of inputs n.</summary>
    public int InputCount => _transport.N;

    /// <summary>The number of transport targets m (m = n for a full sort or ranks by default, 2 for a top-k mask, 2q + 1 for q quantiles).</summary>
    public int TargetCount => _transport.M;

    /// <summary>The ε used, on the squashed scale (see <see cref="SoftSortOptions"/>).</summary>
    public double Epsilon => _transport.Epsilon;

    /// <summary>The Sinkhorn report. When it did not converge the values (and gradients) are those of the last iterate.</summary>
    public Convergence Convergence => _transport.Convergence;

    /// <summary>Whether Sinkhorn converged.</summary>
    public bool Converged => Convergence.Converged;

    /// <summary>
    /// The vector-Jacobian product: the gradient of ⟨<paramref name="cotangent"/>, <see cref="Values"/>⟩ with respect to the
    /// inputs, by implicit differentiation of the Sinkhorn fixed point (exact at convergence; checked against finite
    /// differences in the tests).
    /// </summary>
    /// <param name="cotangent">One value per entry of <see cref="Values"/>.</param>
    /// <returns>One value per input.</returns>
    /// <remarks>
    /// Time O(n·m) per conjugate-gradient iteration (two plan products; the iteration count grows as ε shrinks, about
    /// √(1/ε) on the squashed scale), memory O(n + m) beyond the cached plan. Thread-safe.
    /// </remarks>
    /// <exception cref="ArgumentException">The cotangent has the wrong length or a non-finite entry.</exception>
    /// <exception cref="InvalidOperationException">The linear solve did not reach <see cref="SoftSortOptions.GradientTolerance"/>.</exception>
    public double[] Vjp(ReadOnlySpan<double> cotangent)
    {
        if (cotangent.Length != Values.Length)
        {
            throw new ArgumentException($"Expected {Values.Length} cotangent values (one per output), got {cotangent.Length}.", nameof(cotangent));
        }

        for (var i = 0; i < cotangent.Length; i++)
        {
            if (!double.IsFinite(cotangent[i]))
            {
                throw new ArgumentException($"Cotangent entry {i} is {cotangent[i]}.", nameof(cotangent));
            }
        }

        return _readout.Vjp(_transport, cotangent);
    }
}
