using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// c(x, y) = ‖x − y‖_p^p = Σ_k |x_k − y_k|^p, for p ≥ 1 (the cost behind W_p on the ℓ_p ground metric). Unlike OTT-JAX's
/// <c>PNormP</c> there is no 1/p factor. p = 2 equals <see cref="SquaredEuclidean{T}"/>; p = 1 is the Manhattan (cityblock) cost.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct PNormPower<T> : ICostFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cost.</summary>
    /// <param name="p">The exponent, at least 1 and finite.</param>
    /// <exception cref="InputValidationException"><paramref name="p"/> is below 1 or not finite.</exception>
    public PNormPower(double p)
    {
        if (!(p >= 1) || !double.IsFinite(p))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The p-norm exponent must be finite and at least 1 (got {p}).", nameof(p));
        }

        P = p;
    }

    /// <summary>The exponent p.</summary>
    public double P { get; }

    /// <inheritdoc />
    public string Name => FormattableString.Invariant($"pnorm:{(P == 0 ? 2 : P):R}");

    /// <inheritdoc />
    public bool IsSymmetric => true;

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        var p = T.CreateTruncating(P == 0 ? 2 : P); // default(PNormPower) behaves as p = 2
        var s = T.Zero;
        for (var k = 0; k < x.Length; k++)
        {
            s += T.Pow(T.Abs(x[k] - y[k]), p);
        }

        return s;
    }
}
