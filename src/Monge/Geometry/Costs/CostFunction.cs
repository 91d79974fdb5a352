using System.Globalization;
using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// The one cost vocabulary by name: turns the names used by the CLI and by configuration files into
/// <see cref="ICostFunction{T}"/> structs, and back (<see cref="ICostFunction{T}.Name"/> round-trips through
/// <see cref="Parse{T}"/> for every built-in cost).
/// </summary>
/// <remarks>
/// Names (case-insensitive): <c>sqeuclidean</c> (‖x − y‖², <see cref="SquaredEuclidean{T}"/>), <c>euclidean</c>
/// (‖x − y‖, <see cref="Euclidean{T}"/>), <c>pnorm:P</c> (Σ|x_k − y_k|^P for P ≥ 1, <see cref="PNormPower{T}"/>),
/// <c>cosine</c> (1 − cos(x, y), <see cref="Cosine{T}"/>), <c>dot</c> (−⟨x, y⟩, <see cref="NegativeDotProduct{T}"/>), and the
/// elastic costs h(x − y) = ½‖x − y‖² + λR(x − y): <c>elastic-l1:λ</c> (<see cref="ElasticL1{T}"/>), <c>elastic-stvs:λ</c>
/// (<see cref="ElasticStvs{T}"/>) and <c>elastic-kovl:k[:λ]</c> (<see cref="ElasticKOverlap{T}"/>, λ = 1 when left out).
/// </remarks>
public static class CostFunction
{
    /// <summary>
    /// The one switch over cost kinds: calls <paramref name="visitor"/> with the concrete built-in cost struct (null is
    /// squared Euclidean), or with the interface for any other implementation.
    /// </summary>
    internal static TResult Dispatch<T, TVisitor, TResult>(ICostFunction<T>? cost, scoped ref TVisitor visitor)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : ICostVisitor<T, TResult>, allows ref struct =>
        cost switch
        {
            null or SquaredEuclidean<T> => visitor.Invoke(default(SquaredEuclidean<T>)),
            Euclidean<T> e => visitor.Invoke(e),
            PNormPower<T> p => visitor.Invoke(p),
            Cosine<T> c => visitor.Invoke(c),
            NegativeDotProduct<T> dot => visitor.Invoke(dot),
            DelegateCost<T> f => visitor.Invoke(f),
            ElasticL1<T> e => visitor.Invoke(e),
            ElasticStvs<T> e => visitor.Invoke(e),
            ElasticKOverlap<T> e => visitor.Invoke(e),
            _ => visitor.Invoke(cost),
        };

    /// <summary>The accepted names, as shown in help texts and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sqeuclidean", "euclidean", "pnorm:P", "cosine", "dot", "elastic-l1:λ", "elastic-stvs:λ", "elastic-kovl:k[:λ]"];

    /// <summary>The accepted names joined for a message: "sqeuclidean, euclidean, pnorm:P, cosine, dot".</summary>
    public static string NameList => string.Join(", ", Names);

    /// <summary>Parses a cost name.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive, surrounding spaces ignored).</param>
    /// <returns>The cost struct, boxed as the interface; pass it to any solver or geometry.</returns>
    /// <exception cref="InputValidationException">An unknown name, or <c>pnorm:P</c> with P missing, not a number or below 1.</exception>
    public static ICostFunction<T> Parse<T>(string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        switch (key)
        {
            case "sqeuclidean":
                return default(SquaredEuclidean<T>);
            case "euclidean":
                return default(Euclidean<T>);
            case "cosine":
                return default(Cosine<T>);
            case "dot":
                return default(NegativeDotProduct<T>);
        }

        if (key.StartsWith("pnorm:", StringComparison.Ordinal))
        {
            var text = key["pnorm:".Length..];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || !(p >= 1) || !double.IsFinite(p))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Cost '{name}': the exponent P in pnorm:P must be a finite number ≥ 1 (got '{text}').", nameof(name));
            }

            return new PNormPower<T>(p);
        }

        if (key.StartsWith("elastic-", StringComparison.Ordinal))
        {
            return ParseElastic<T>(name, key);
        }

        throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown cost '{name}'; expected one of {NameList}.", nameof(name));
    }

    private static ICostFunction<T> ParseElastic<T>(string name, string key)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parts = key.Split(':');
        double Lambda(string text) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var l) && l >= 0 && double.IsFinite(l)
                ? l
                : throw new InputValidationException(InputProblem.InvalidParameter, $"Cost '{name}': λ must be a finite number ≥ 0 (got '{text}').", nameof(name));
        switch (parts[0])
        {
            case "elastic-l1" when parts.Length == 2:
                return new ElasticL1<T>(Lambda(parts[1]));
            case "elastic-stvs" when parts.Length == 2:
                return new ElasticStvs<T>(Lambda(parts[1]));
            case "elastic-kovl" when parts.Length is 2 or 3:
                if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
                {
                    throw new InputValidationException(InputProblem.InvalidParameter, $"Cost '{name}': k in elastic-kovl:k[:λ] must be an integer ≥ 1 (got '{parts[1]}').", nameof(name));
                }

                return new ElasticKOverlap<T>(k, parts.Length == 3 ? Lambda(parts[2]) : 1);
            default:
                throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown cost '{name}'; the elastic costs are elastic-l1:λ, elastic-stvs:λ and elastic-kovl:k[:λ].", nameof(name));
        }
    }

    /// <summary>Whether <paramref name="cost"/> is the squared Euclidean cost (the one with exact rank-(d+2) factors and the fused kernels).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="cost">A cost, or null (which every solver reads as squared Euclidean).</param>
    public static bool IsSquaredEuclidean<T>(ICostFunction<T>? cost)
        where T : unmanaged, IFloatingPointIeee754<T>
        => cost is null or SquaredEuclidean<T> || (cost is PNormPower<T> p && (p.P == 2 || p.P == 0));
}
