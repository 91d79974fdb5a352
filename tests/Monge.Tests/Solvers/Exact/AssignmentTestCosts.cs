namespace Monge.Tests.Solvers.Exact;

/// <summary>The brute-force tests' cost entries, one generator for the assignment test classes.</summary>
internal static class AssignmentTestCosts
{
    /// <summary>The number of kinds of <see cref="Next"/>.</summary>
    public const int Kinds = 4;

    /// <summary>One cost entry of the given kind (0 ≤ kind &lt; <see cref="Kinds"/>; one draw of <paramref name="random"/>):
    /// uniform in [0, 1), integers in {0, 1, 2} (many ties), a wide range of both signs, or multiples of 0.1 in [0, 4].</summary>
    public static double Next(Random random, int kind) => kind switch
    {
        0 => random.NextDouble(),
        1 => random.Next(3),                    // integer costs with many ties
        2 => (random.NextDouble() * 2e6) - 1e6, // wide range, negative
        _ => Math.Round(random.NextDouble() * 4, 1),
    };
}
