namespace Monge.Solvers.Exact;

/// <summary>The result of <see cref="OneDimensional.Solve"/>: the monotone optimal plan in coordinate form and its cost.</summary>
/// <param name="Rows">Source index of each nonzero of the plan.</param>
/// <param name="Columns">Target index of each nonzero.</param>
/// <param name="Mass">Transported mass of each nonzero (the problem's masses, positive).</param>
/// <param name="Cost">⟨C, P⟩.</param>
/// <param name="SourceCount">n.</param>
/// <param name="TargetCount">m.</param>
public sealed record OneDimensionalResult(int[] Rows, int[] Columns, double[] Mass, double Cost, int SourceCount, int TargetCount)
{
    /// <summary>The plan as a dense row-major n × m array (allocates n·m doubles).</summary>
    public double[] ToDense()
    {
        var dense = new double[SourceCount * (long)TargetCount];
        for (var k = 0; k < Rows.Length; k++)
        {
            dense[((long)Rows[k] * TargetCount) + Columns[k]] += Mass[k];
        }

        return dense;
    }
}
