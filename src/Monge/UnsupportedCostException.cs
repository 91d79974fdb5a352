namespace Monge;

/// <summary>
/// Thrown when a solver is given a cost it cannot use (for example a non-metric cost where the solver needs factors or
/// a metric). The message names the solver, the cost and the costs the solver supports; nothing is computed.
/// </summary>
public sealed class UnsupportedCostException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="solver">The solver's name (for example "NetworkSimplex").</param>
    /// <param name="cost">The cost's name (<c>ICostFunction.Name</c>).</param>
    /// <param name="supported">What the solver supports, in words (for example "sqeuclidean, euclidean, pnorm:P, cosine, dot").</param>
    public UnsupportedCostException(string solver, string cost, string supported)
        : base($"{solver} does not support the cost '{cost}'; it supports {supported}.")
    {
        Solver = solver;
        Cost = cost;
        Supported = supported;
    }

    /// <summary>Creates the exception with a generic message (for serializers and analyzers).</summary>
    public UnsupportedCostException()
        : this("The solver", "?", "other costs")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public UnsupportedCostException(string message)
        : base(message)
    {
        Solver = string.Empty;
        Cost = string.Empty;
        Supported = string.Empty;
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedCostException(string message, Exception innerException)
        : base(message, innerException)
    {
        Solver = string.Empty;
        Cost = string.Empty;
        Supported = string.Empty;
    }

    /// <summary>The solver that refused the cost.</summary>
    public string Solver { get; }

    /// <summary>The refused cost's name.</summary>
    public string Cost { get; }

    /// <summary>What the solver supports.</summary>
    public string Supported { get; }
}
