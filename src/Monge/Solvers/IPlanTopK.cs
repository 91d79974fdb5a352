namespace Monge.Solvers;

/// <summary>
/// A capability of a plan (next to <see cref="ITransportPlan{T}"/>): it computes the k largest entries of every row faster
/// than the plan contract's products allow. <see cref="PlanTopK.Compute{T}"/> uses it when present (Sinkhorn plans: one
/// online pass) and falls back on the contract otherwise.
/// </summary>
public interface IPlanTopK
{
    /// <summary>The k largest plan entries of every row: column indices and values, both n × k row-major, each row sorted by
    /// decreasing value.</summary>
    /// <param name="k">Entries per row, 1 ≤ k ≤ m.</param>
    /// <returns>(Indices, Values).</returns>
    (int[] Indices, double[] Values) TopK(int k);
}
