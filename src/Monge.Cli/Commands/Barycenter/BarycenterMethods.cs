namespace Monge.Cli.Commands.Barycenter;

/// <summary>The registry of <c>monge barycenter --method</c> values. Add new methods with one line here.</summary>
public static class BarycenterMethods
{
    /// <summary>Every available method, in help order (the first is the default).</summary>
    public static IReadOnlyList<IBarycenterMethod> All { get; } =
    [
        new FixedBarycenterMethod(),
        new DebiasedBarycenterMethod(),
        new UnbalancedBarycenterMethod(),
        new FreeBarycenterMethod(),
        new GaussianBarycenterMethod(),
        new QuantileBarycenterMethod(),
    ];
}
