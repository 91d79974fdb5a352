namespace Monge.Solvers.LowRank;

/// <summary>Up-front checks shared by the low-rank solvers.</summary>
internal static class LowRankValidation
{
    internal static (double[] A, double[] B) Marginals(LowRankCost cost, double[]? a, double[]? b, bool balanced)
    {
        var an = a is null ? Problems.Marginals.Uniform<double>(cost.Rows) : Problems.Marginals.Normalized<double>(Check(a, cost.Rows, nameof(a)), nameof(a));
        var bn = b is null ? Problems.Marginals.Uniform<double>(cost.Cols) : Problems.Marginals.Normalized<double>(Check(b, cost.Cols, nameof(b)), nameof(b));
        if (balanced)
        {
            var ma = a is null ? 1.0 : Problems.Marginals.Validate<double>(a, cost.Rows, nameof(a));
            var mb = b is null ? 1.0 : Problems.Marginals.Validate<double>(b, cost.Cols, nameof(b));
            if (Math.Abs(ma - mb) > 1e-6 * Math.Max(ma, mb))
            {
                throw new InputValidationException(InputProblem.MassMismatch, $"A balanced problem needs equal masses, but a sums to {ma} and b to {mb}.", nameof(b));
            }
        }

        return (an, bn);
    }

    private static double[] Check(double[] w, int n, string name)
    {
        Problems.Marginals.Validate<double>(w, n, name);
        return w;
    }

    internal static InputValidationException Invalid(string message, string name) => new(InputProblem.InvalidParameter, message, name);

    internal static void Rank(int rank, int size, string name, string sizeName)
    {
        if (rank < 1 || rank > size)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"{name} must be between 1 and {sizeName} = {size} (got {rank}).", name);
        }
    }

    internal static void Positive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"{name} must be positive and finite (got {value}).", name);
        }
    }

    internal static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsNaN(value))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"{name} must be non-negative (got {value}).", name);
        }
    }

    internal static void Count(int value, int min, string name)
    {
        if (value < min)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"{name} must be at least {min} (got {value}).", name);
        }
    }

    internal static void Factor(double[] factor, int rows, int cols, string name)
    {
        ArgumentNullException.ThrowIfNull(factor, name);
        if (factor.Length != (long)rows * cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Initial {name} has {factor.Length} entries but {rows}×{cols} needs {(long)rows * cols}.", name);
        }

        for (var k = 0; k < factor.Length; k++)
        {
            if (!double.IsFinite(factor[k]) || factor[k] < 0)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Initial {name} must be finite and non-negative; entry {k} is {factor[k]}.", name, k / cols);
            }
        }
    }
}
