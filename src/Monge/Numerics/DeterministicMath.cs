using System.Numerics;

namespace Monge.Numerics;

/// <summary>
/// Elementwise functions whose results do not depend on how the runtime compiled the code that computes them.
/// </summary>
/// <remarks>
/// <para>
/// <c>TensorPrimitives.Exp</c> (double) rounds differently in the ahead-of-time (ReadyToRun) code of the core
/// library, which a process runs first, and in the code the JIT compiles once a method is hot: measured on .NET 10,
/// about one input in ten over [−745, 0] changes in its last bit (exp(−700) is 9.859676543759773e−305 on the first
/// call and 9.85967654375977e−305 after tier-up; <c>DOTNET_ReadyToRun=0</c> or <c>DOTNET_TieredCompilation=0</c>
/// makes both calls agree). An iterative solver amplifies that bit: two FRLC solves of the same 40 × 31 problem in
/// one process differed by up to 3·10⁻⁵ relative depending on when the runtime replaced the code. <see cref="Math.Exp(double)"/>
/// (and <see cref="MathF.Exp(float)"/>) is one native routine at every tier, so the same inputs give the same bits in
/// every call. It is slower: a later same-process A/B measured scalar exp about 10× (double) and 6× (float) slower per
/// element than the vectorised version, scalar log 9× and 23× (docs/testing.md, "Deterministic transcendental
/// functions"), so call sites whose results are final outputs keep <c>TensorPrimitives</c>.
/// </para>
/// <para>Use these in solvers whose iterates feed back into themselves (projections, scaling loops). The call sites and
/// the ones left on <c>TensorPrimitives</c> are listed in docs/testing.md, "Deterministic transcendental functions".</para>
/// </remarks>
internal static class DeterministicMath
{
    /// <summary>destination[i] = exp(x[i]) with <see cref="Math.Exp(double)"/> / <see cref="MathF.Exp(float)"/> (in place allowed).</summary>
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> destination)
        where T : IFloatingPointIeee754<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("Destination is shorter than the input.", nameof(destination));
        }

        // Far below the underflow threshold exp is +0 exactly (e^−110 ≈ 1.7·10⁻⁴⁸ for float, e^−760 ≈ 8·10⁻³³¹ for double:
        // below a tenth of the smallest subnormal), and the native routine reaches it through its slow error path (errno):
        // in a Sinkhorn soft-min at small ε most terms are there (stop 32: ≈ 10% of a 16-D certificate's CPU in
        // __math_uflowf / with_errnof). Writing +0 directly gives the same bits without the call. The per-element branch
        // costs where the inputs are mixed: the squared 16-D certificate at 65 536 +7 to +23% CPU (stop 32; a whole-vector
        // test and a three-quarters rule kept that path's time but lost the Euclidean gain; docs/hiref.md Known gaps).
        var cutoff = typeof(T) == typeof(float) ? T.CreateTruncating(-110.0) : T.CreateTruncating(-760.0);
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            destination[i] = v < cutoff ? T.Zero : T.Exp(v);
        }
    }

    /// <summary>destination[i] = log(x[i]) with <see cref="Math.Log(double)"/> / <see cref="MathF.Log(float)"/> (in place allowed).</summary>
    public static void Log<T>(ReadOnlySpan<T> x, Span<T> destination)
        where T : IFloatingPointIeee754<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("Destination is shorter than the input.", nameof(destination));
        }

        for (var i = 0; i < x.Length; i++)
        {
            destination[i] = T.Log(x[i]);
        }
    }
}
