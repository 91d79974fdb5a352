using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// c(x, y) = 1 − ⟨x, y⟩ / (‖x‖‖y‖ + ridge), in [0, 2] (OTT-JAX <c>Cosine</c>, POT <c>'cosine'</c>). The small ridge
/// (default 1e-8) keeps zero vectors finite: their cost to everything is 1.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct Cosine<T> : ICostFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cost with a ridge added to the norm product.</summary>
    /// <param name="ridge">A small non-negative number.</param>
    /// <exception cref="InputValidationException"><paramref name="ridge"/> is negative or not finite.</exception>
    public Cosine(double ridge)
    {
        if (!(ridge >= 0) || !double.IsFinite(ridge))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The cosine ridge must be finite and non-negative (got {ridge}).", nameof(ridge));
        }

        Ridge = ridge;
        HasRidge = true;
    }

    /// <summary>The ridge added to ‖x‖‖y‖ (1e-8 for the default value of this struct).</summary>
    public double Ridge { get; }

    private bool HasRidge { get; }

    /// <inheritdoc />
    public string Name => "cosine";

    /// <inheritdoc />
    public bool IsSymmetric => true;

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        T dot = T.Zero, xx = T.Zero, yy = T.Zero;
        for (var k = 0; k < x.Length; k++)
        {
            dot += x[k] * y[k];
            xx += x[k] * x[k];
            yy += y[k] * y[k];
        }

        var ridge = T.CreateTruncating(HasRidge ? Ridge : 1e-8);
        return T.One - (dot / ((T.Sqrt(xx) * T.Sqrt(yy)) + ridge));
    }
}
