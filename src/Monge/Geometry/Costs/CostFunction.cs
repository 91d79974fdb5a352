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
/// <c>cosine</c> (1 − cos(x, y), <see cref="Cosine{T}"/>) and <c>dot</c> (−⟨x, y⟩, <see cref="NegativeDotProduct{T}"/>).
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
            _ => visitor.Invoke(cost),
        };

    /// <summary>The accepted names, as shown in help texts and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sqeuclidean", "euclidean", "pnorm:P", "cosine", "dot"];

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

        throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown cost '{name}'; expected one of {NameList}.", nameof(name));
    }

    /// <summary>Whether <paramref name="cost"/> is the squared Euclidean cost (the one with exact rank-(d+2) factors and the fused kernels).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="cost">A cost, or null (which every solver reads as squared Euclidean).</param>
    public static bool IsSquaredEuclidean<T>(ICostFunction<T>? cost)
        where T : unmanaged, IFloatingPointIeee754<T>
        => cost is null or SquaredEuclidean<T> || (cost is PNormPower<T> p && (p.P == 2 || p.P == 0));
}
