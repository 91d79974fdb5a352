namespace Monge.Cli.Commands.Gw;

/// <summary>The registry of <c>monge gw --method</c> values. Add new methods with one line here.</summary>
public static class GwMethods
{
    /// <summary>Every available method, in help order (the first is the default).</summary>
    public static IReadOnlyList<IGwMethod> All { get; } =
    [
        new CgGwMethod(),
        new EntropicGwMethod(),
        new LowRankGwMethod(),
        new FrlcGwMethod(),
    ];
}
