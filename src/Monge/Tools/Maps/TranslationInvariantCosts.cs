using Monge.Geometry.Costs;

namespace Monge.Tools.Maps;

/// <summary>The h of a cost c(x, y) = h(x − y) that the maps can use: the elastic costs, and squared Euclidean as h = ‖·‖².</summary>
internal static class TranslationInvariantCosts
{
    internal const string Supported = "sqeuclidean, elastic-l1:λ, elastic-stvs:λ, elastic-kovl:k[:λ]";

    internal static ITranslationInvariantCost Resolve(ICostFunction<double> cost, string solver) =>
        cost switch
        {
            ITranslationInvariantCost h => h,
            _ when CostFunction.IsSquaredEuclidean(cost) => SquaredEuclideanH.Instance,
            _ => throw new UnsupportedCostException(solver, cost.Name, Supported),
        };

    /// <summary>h(z) = ‖z‖² (Monge's squared Euclidean has no ½): ∇h = 2z, h* = ¼‖z‖², ∇h* = z/2.</summary>
    private sealed class SquaredEuclideanH : ITranslationInvariantCost
    {
        internal static readonly SquaredEuclideanH Instance = new();

        public double H(ReadOnlySpan<double> z)
        {
            var s = 0.0;
            foreach (var v in z)
            {
                s += v * v;
            }

            return s;
        }

        public void GradientH(ReadOnlySpan<double> z, Span<double> destination)
        {
            for (var k = 0; k < z.Length; k++)
            {
                destination[k] = 2 * z[k];
            }
        }

        public double HConjugate(ReadOnlySpan<double> z) => 0.25 * H(z);

        public void GradientHConjugate(ReadOnlySpan<double> z, Span<double> destination)
        {
            for (var k = 0; k < z.Length; k++)
            {
                destination[k] = 0.5 * z[k];
            }
        }
    }
}
