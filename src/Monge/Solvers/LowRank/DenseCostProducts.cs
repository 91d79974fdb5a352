using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Solvers.LowRank;

/// <summary>A cost matrix given dense (row-major n×m). Products cost O(n·m·k).</summary>
internal sealed class DenseCostProducts : CostProducts
{
    private readonly double[] _cost;
    private readonly int _rows;
    private readonly int _cols;

    public DenseCostProducts(double[] cost, int rows, int cols)
    {
        _cost = cost;
        _rows = rows;
        _cols = cols;
    }

    public override int Rows => _rows;

    public override int Cols => _cols;

    public override long Bytes => (long)_cost.Length * sizeof(double);

    public override double Entry(int i, int j) => _cost[((long)i * _cols) + j];

    public override void Row(int i, Span<double> dst) => _cost.AsSpan(i * _cols, _cols).CopyTo(dst);

    public override void Apply(double[] x, int k, double[] dst) => DenseLinearAlgebra.Multiply(_cost, null, _rows, _cols, x, k, dst);

    public override void ApplyTranspose(double[] y, int k, double[] dst) => DenseLinearAlgebra.MultiplyTransposed(_cost, null, _rows, _cols, y, k, dst);
}

/// <summary>
/// A factored cost C = A Bᵀ with A (n×k) and B (m×k), optionally restricted to subsets of rows of A and B through index
/// maps (Hierarchical Refinement reuses the global factors on each block). Products cost O((n+m)·k·r) time and
/// O(k·r) extra memory; C is never formed.
/// </summary>
internal sealed class FactoredCostProducts : CostProducts
{
    private readonly double[] _a;
    private readonly double[] _b;
    private readonly int _k;
    private readonly int[]? _rowMap;
    private readonly int[]? _colMap;
    private readonly int _rows;
    private readonly int _cols;

    public FactoredCostProducts(double[] a, double[] b, int k, int rows, int cols, int[]? rowMap, int[]? colMap)
    {
        _a = a;
        _b = b;
        _k = k;
        _rows = rows;
        _cols = cols;
        _rowMap = rowMap;
        _colMap = colMap;
    }

    public override int Rows => _rows;

    public override int Cols => _cols;

    /// <summary>The factor width k.</summary>
    public int FactorRank => _k;

    public override long Bytes => ((long)_a.Length + _b.Length) * sizeof(double);

    public override double Entry(int i, int j)
    {
        var ia = _rowMap is null ? i : _rowMap[i];
        var jb = _colMap is null ? j : _colMap[j];
        return TensorPrimitives.Dot(_a.AsSpan(ia * _k, _k), _b.AsSpan(jb * _k, _k));
    }

    public override void Apply(double[] x, int r, double[] dst)
    {
        // C x = A (Bᵀ x).
        var btx = new double[_k * r];
        DenseLinearAlgebra.MultiplyTransposed(_b, _colMap, _cols, _k, x, r, btx);
        DenseLinearAlgebra.Multiply(_a, _rowMap, _rows, _k, btx, r, dst);
    }

    public override void ApplyTranspose(double[] y, int r, double[] dst)
    {
        // Cᵀ y = B (Aᵀ y).
        var aty = new double[_k * r];
        DenseLinearAlgebra.MultiplyTransposed(_a, _rowMap, _rows, _k, y, r, aty);
        DenseLinearAlgebra.Multiply(_b, _colMap, _cols, _k, aty, r, dst);
    }
}
