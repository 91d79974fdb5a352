using Monge.Geometry;
using Monge.Numerics;
using Monge.Solvers;

namespace Monge.Cli.Commands.Transfer;

/// <summary>A float32 plan (Sinkhorn with <c>--float32</c>) seen through the double-precision plan contract: vectors are
/// rounded to float32 on the way in; products come back as doubles, as the float32 plan returns them. Top-k rows go to
/// the float32 plan (its own online pass when it has one).</summary>
/// <param name="plan">The float32 plan.</param>
public sealed class SinglePrecisionPlan(ITransportPlan<float> plan) : ITransportPlan<double>, IPlanTopK
{
    /// <inheritdoc />
    public int SourceCount => plan.SourceCount;

    /// <inheritdoc />
    public int TargetCount => plan.TargetCount;

    /// <inheritdoc />
    public double Cost => plan.Cost;

    /// <inheritdoc />
    public double[] SourceMarginal => plan.SourceMarginal;

    /// <inheritdoc />
    public double[] TargetMarginal => plan.TargetMarginal;

    /// <inheritdoc />
    public Convergence Convergence => plan.Convergence;

    /// <inheritdoc />
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => plan.ApplyPlan(ToSingle(vector), axis);

    /// <inheritdoc />
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis) => plan.ApplyPlan(ToSingle(block), columns, axis);

    /// <inheritdoc />
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries) => Array.ConvertAll(plan.ToDense(maxEntries), v => (double)v);

    /// <inheritdoc />
    public (int[] Indices, double[] Values) TopK(int k) => PlanTopK.Compute(plan, k);

    private static float[] ToSingle(ReadOnlySpan<double> values)
    {
        var result = new float[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            result[k] = (float)values[k];
        }

        return result;
    }
}
