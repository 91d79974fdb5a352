namespace Monge.Solvers.LowRank;

/// <summary>
/// The only access the low-rank solvers need to a cost matrix C (rows × cols): products with thin blocks of vectors.
/// Implementations never store C unless it was given dense.
/// </summary>
internal abstract class CostProducts
{
    /// <summary>Number of rows n of C.</summary>
    public abstract int Rows { get; }

    /// <summary>Number of columns m of C.</summary>
    public abstract int Cols { get; }

    /// <summary>dst (n×k, row-major) = C · x (m×k, row-major).</summary>
    public abstract void Apply(double[] x, int k, double[] dst);

    /// <summary>dst (m×k, row-major) = Cᵀ · y (n×k, row-major).</summary>
    public abstract void ApplyTranspose(double[] y, int k, double[] dst);

    /// <summary>One entry C_ij (used by small-problem helpers such as <c>ToDense</c> and the tests).</summary>
    public abstract double Entry(int i, int j);

    /// <summary>Bytes held by this operator (for the memory statement of the benchmarks).</summary>
    public abstract long Bytes { get; }

    /// <summary>Row i of C scattered into dst (length m); used by the dense readouts on small problems.</summary>
    public virtual void Row(int i, Span<double> dst)
    {
        for (var j = 0; j < Cols; j++)
        {
            dst[j] = Entry(i, j);
        }
    }
}
