using Monge.Problems;

namespace Monge.Tools.Barycenters;

/// <summary>The weights of a barycenter's inputs: uniform when none are given, else checked and rescaled to sum one.</summary>
internal static class BarycenterWeights
{
    /// <summary>λ_k rescaled to sum one, or 1/count each when <paramref name="lambdas"/> is null.</summary>
    /// <param name="lambdas">The weights (positive), or null.</param>
    /// <param name="count">The number of inputs.</param>
    /// <param name="parameterName">The caller's parameter name, for errors.</param>
    /// <returns>A new array of <paramref name="count"/> weights.</returns>
    /// <exception cref="InputValidationException">A count other than <paramref name="count"/>, or weights that are not positive and finite.</exception>
    internal static double[] Normalize(IReadOnlyList<double>? lambdas, int count, string parameterName)
    {
        if (lambdas is null)
        {
            return Marginals.Uniform<double>(count);
        }

        if (lambdas.Count != count)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{lambdas.Count} input weights for {count} inputs.", parameterName);
        }

        return Marginals.Normalized<double>(lambdas.ToArray(), parameterName);
    }
}
