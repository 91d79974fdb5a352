using System.Globalization;
using System.Numerics;

namespace Monge.Geometry;

/// <summary>
/// How a solver rescales the costs before solving (OTT-JAX <c>scale_cost</c>): it solves with C / s, where the divisor
/// s is a statistic of the costs (<see cref="Mean"/>, <see cref="Max"/>, <see cref="Std"/>), a fixed value
/// (<see cref="Fixed"/>) or 1 (<see cref="None"/>), and reports costs back in the units of C. With
/// <see cref="Mean"/> the answer does not depend on the units of the coordinates.
/// </summary>
/// <remarks>
/// <para><see cref="Resolve{T}"/> computes s in linear memory. Mean and standard deviation of a factored cost
/// C = A Bᵀ (<see cref="IFactoredGeometry{T}"/>, or the exact factors of <see cref="CostGeometry{T}.TryGetFactors"/>:
/// squared Euclidean and dot point clouds) are closed forms over the factors: mean = ā·b̄ with ā, b̄ the mean rows of A
/// and B, and mean of C² = Σ_kl (AᵀA)_kl (BᵀB)_kl / (n·m), in O((n + m)·k²) time. Every other statistic and
/// geometry is one online pass over the n·m entries (<see cref="CostGeometry{T}.ComputeStatistics"/>: exact,
/// O(n·m·d) time, O(tile) memory; no more than one product with C of a low-rank solver's iteration).</para>
/// <para>The statistics are unweighted (over all n·m entries), as <see cref="CostScaling"/> and OTT-JAX.</para>
/// </remarks>
public readonly record struct CostScale
{
    private CostScale(CostScaling statistic, double? divisor)
    {
        Statistic = statistic;
        FixedDivisor = divisor;
    }

    /// <summary>The statistic the costs are divided by (<see cref="CostScaling.None"/> for a fixed divisor or no scaling).</summary>
    public CostScaling Statistic { get; }

    /// <summary>The fixed divisor, or <see langword="null"/> when the divisor is a statistic (or 1 for <see cref="None"/>).</summary>
    public double? FixedDivisor { get; }

    /// <summary>No rescaling (divisor 1).</summary>
    public static CostScale None => new(CostScaling.None, null);

    /// <summary>Divide by the mean cost (OTT-JAX <c>"mean"</c>; the low-rank solvers' default).</summary>
    public static CostScale Mean => new(CostScaling.Mean, null);

    /// <summary>Divide by the largest cost (OTT-JAX <c>"max_cost"</c>; one O(n·m) pass unless the geometry is dense).</summary>
    public static CostScale Max => new(CostScaling.Max, null);

    /// <summary>Divide by the standard deviation of the costs (OTT-JAX <c>"std"</c>).</summary>
    public static CostScale Std => new(CostScaling.Std, null);

    /// <summary>Divide by a fixed value (OTT-JAX's float <c>scale_cost</c> is its inverse).</summary>
    /// <param name="divisor">Positive and finite.</param>
    /// <exception cref="InputValidationException">The divisor is not positive and finite.</exception>
    public static CostScale Fixed(double divisor)
    {
        if (!(divisor > 0) || !double.IsFinite(divisor))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"A fixed cost scale must be positive and finite (got {divisor}).", nameof(divisor));
        }

        return new(CostScaling.None, divisor);
    }

    /// <summary>The scale for one statistic (<see cref="CostScaling.None"/> gives <see cref="None"/>).</summary>
    /// <param name="statistic">The statistic.</param>
    public static CostScale FromStatistic(CostScaling statistic) => new(statistic, null);

    /// <summary>Parses <c>mean</c>, <c>max</c>, <c>std</c>, <c>none</c> (case-insensitive) or a positive number (a fixed divisor).</summary>
    /// <param name="text">The text.</param>
    /// <param name="scale">The parsed scale.</param>
    /// <returns>Whether the text is valid.</returns>
    public static bool TryParse(string? text, out CostScale scale)
    {
        scale = None;
        switch (text?.Trim().ToLowerInvariant())
        {
            case null:
                return false;
            case "none":
                return true;
            case "mean":
                scale = Mean;
                return true;
            case "max":
                scale = Max;
                return true;
            case "std":
                scale = Std;
                return true;
            default:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value))
                {
                    scale = new(CostScaling.None, value);
                    return true;
                }

                return false;
        }
    }

    /// <summary>The divisor s for the costs of <paramref name="geometry"/> as given (its scale factor included).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="geometry">The geometry.</param>
    /// <returns>s (1 for <see cref="None"/>).</returns>
    /// <remarks>A mean at or below zero (possible for costs with negative values, such as a dot product) is replaced by
    /// the root mean square of the costs, √(mean² + std²).</remarks>
    /// <exception cref="InputValidationException">The statistic is zero or not finite (an all-zero cost, or the standard
    /// deviation of a constant cost): give a fixed divisor or no scaling.</exception>
    public double Resolve<T>(CostGeometry<T> geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (FixedDivisor is { } divisor)
        {
            return divisor;
        }

        var s = Compute(geometry, Statistic);
        if (Statistic == CostScaling.Mean && !(s > 0) && double.IsFinite(s))
        {
            // Costs that take negative values (a dot product) can have a mean at or below zero: use their root mean
            // square √(mean² + std²) instead, which scales with the costs as the mean does and is positive unless C = 0.
            var std = Compute(geometry, CostScaling.Std);
            s = Math.Sqrt((s * s) + (std * std));
        }

        if (!(s > 0) || !double.IsFinite(s))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Cannot scale costs by their {Statistic} ({s}): it must be positive and finite; give a fixed scale or none.", nameof(geometry));
        }

        return s;
    }

    /// <summary><c>mean</c>, <c>max</c>, <c>std</c>, <c>none</c> or the fixed divisor (round-trip format): the text <see cref="TryParse"/> reads.</summary>
    public override string ToString() => FixedDivisor is { } d
        ? d.ToString("R", CultureInfo.InvariantCulture)
        : Statistic.ToString().ToLowerInvariant();

    /// <summary>
    /// The raw statistic of the costs of <paramref name="geometry"/> (its scale factor included), without the
    /// fallback or the checks of <see cref="Resolve{T}"/>: closed forms over exact factors for the mean and the
    /// standard deviation, one online pass otherwise; 1 for <see cref="CostScaling.None"/>. The one place a cost
    /// statistic is computed for a solver (the low-rank solvers' scale, Sinkhorn's relative ε).
    /// </summary>
    internal static double Compute<T>(CostGeometry<T> geometry, CostScaling statistic)
        where T : unmanaged, IFloatingPointIeee754<T>
        => statistic switch
        {
            CostScaling.None => 1.0,
            CostScaling.Mean or CostScaling.Std when TryGetFactors(geometry, out var factors) => FactoredStatistic(factors, geometry.Rows, geometry.Cols, statistic == CostScaling.Std),
            CostScaling.Mean => geometry.ComputeStatistics().Mean,
            CostScaling.Std => geometry.ComputeStatistics().StandardDeviation,
            CostScaling.Max => geometry.ComputeStatistics().Max,
            _ => throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown cost scaling {statistic}.", nameof(statistic)),
        };

    private static bool TryGetFactors<T>(CostGeometry<T> geometry, out LowRankFactors<T>? factors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (geometry is IFactoredGeometry<T> factored)
        {
            factors = factored.Factors;
            return true;
        }

        return geometry.TryGetFactors(out factors);
    }

    /// <summary>Mean (or standard deviation) of all entries of A Bᵀ from the factors, O((n + m)·k²).</summary>
    private static double FactoredStatistic<T>(LowRankFactors<T>? factors, int n, int m, bool std)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = factors!.Rank;
        var (meanA, gramA) = Moments(factors.A, n, k, std);
        var (meanB, gramB) = Moments(factors.B, m, k, std);
        var mean = 0.0;
        for (var l = 0; l < k; l++)
        {
            mean += meanA[l] * meanB[l];
        }

        if (!std)
        {
            return mean;
        }

        var second = 0.0;
        for (var l = 0; l < gramA.Length; l++)
        {
            second += gramA[l] * gramB[l];
        }

        return Math.Sqrt(Math.Max(0, (second / ((double)n * m)) - (mean * mean)));
    }

    private static (double[] Mean, double[] Gram) Moments<T>(T[] factor, int rows, int k, bool gram)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mean = new double[k];
        var g = gram ? new double[k * k] : [];
        var row = new double[k];
        for (var i = 0; i < rows; i++)
        {
            for (var l = 0; l < k; l++)
            {
                row[l] = double.CreateTruncating(factor[(i * k) + l]);
                mean[l] += row[l];
            }

            if (gram)
            {
                for (var p = 0; p < k; p++)
                {
                    for (var q = 0; q < k; q++)
                    {
                        g[(p * k) + q] += row[p] * row[q];
                    }
                }
            }
        }

        for (var l = 0; l < k; l++)
        {
            mean[l] /= rows;
        }

        return (mean, g);
    }
}
