using System.Numerics;
using Monge.Geometry;
using Monge.Problems;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// The data of one (fused) Gromov-Wasserstein problem as the entropic solvers read it: the two intra-space geometries,
/// the optional cross geometry M with POT's fusion weight α (objective (1 − α)⟨M, P⟩ + α·GW(P)), the weights and the
/// relaxation. Validated on construction.
/// </summary>
internal sealed class EntropicGwInput<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public EntropicGwInput(CostGeometry<T> x, CostGeometry<T> y, T[]? a, T[]? b, CostGeometry<T>? linear = null, double alpha = 1, Relaxation? relaxation = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rows != x.Cols || y.Rows != y.Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Intra-space costs must be square (got {x.Rows} × {x.Cols} and {y.Rows} × {y.Cols}).", nameof(x));
        }

        if (linear is not null && (linear.Rows != x.Rows || linear.Cols != y.Rows))
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The linear cost is {linear.Rows} × {linear.Cols}; the problem is {x.Rows} × {y.Rows}.", nameof(linear));
        }

        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The fusion weight α must lie in [0, 1] (got {alpha}).", nameof(alpha));
        }

        X = x;
        Y = y;
        Linear = linear;
        Alpha = linear is null ? 1 : alpha;
        A = a ?? Marginals.Uniform<T>(x.Rows);
        B = b ?? Marginals.Uniform<T>(y.Rows);
        MassA = Marginals.Validate<T>(A, x.Rows, "a");
        MassB = Marginals.Validate<T>(B, y.Rows, "b");
        Relaxation = relaxation ?? Relaxation.Balanced;
        if (Relaxation.IsBalanced && Math.Abs(MassA - MassB) > 1e-6 * Math.Max(MassA, MassB))
        {
            throw new InputValidationException(InputProblem.MassMismatch, $"A balanced problem needs equal masses, but a sums to {MassA:R} and b to {MassB:R}.", nameof(b));
        }
    }

    public CostGeometry<T> X { get; }

    public CostGeometry<T> Y { get; }

    public CostGeometry<T>? Linear { get; }

    /// <summary>Weight of the GW term (1 without a linear term).</summary>
    public double Alpha { get; }

    public T[] A { get; }

    public T[] B { get; }

    public double MassA { get; }

    public double MassB { get; }

    public Relaxation Relaxation { get; }

    public int Rows => X.Rows;

    public int Cols => Y.Rows;
}
