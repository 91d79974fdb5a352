using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// An intra-space cost C (n × n) as the low-rank Gromov–Wasserstein solvers read it: products C·X and Cᵀ·X with thin
/// blocks, and the products (C∘C)·v and (C∘C)ᵀ·v of the element-wise square with one vector (the terms of the square
/// loss that involve the plan's marginals). Two forms: factored C = A Bᵀ (k columns; squared Euclidean point clouds
/// have k = d + 2), where (C∘C)·v = (a_iᵀ (Bᵀ diag(v) B) a_i)_i costs O((n + m)·k²) time and O(k²) memory and the square
/// is never factored (its rank would be k²); and dense (small problems, tests). Never forms n × n for a factored cost.
/// </summary>
internal sealed class IntraCostOperator
{
    private const int Chunk = 2048;
    private readonly double[]? _a;
    private readonly double[]? _b;
    private readonly double[]? _dense;

    private IntraCostOperator(int size, double[]? a, double[]? b, int k, double[]? dense, bool symmetric)
    {
        Size = size;
        _a = a;
        _b = b;
        FactorRank = k;
        _dense = dense;
        IsSymmetric = symmetric;
    }

    /// <summary>n.</summary>
    public int Size { get; }

    /// <summary>Width k of the factors (0 for a dense cost).</summary>
    public int FactorRank { get; }

    /// <summary>Whether the products use the factors.</summary>
    public bool IsFactored => _a is not null;

    /// <summary>Whether C = Cᵀ (then the transposed products are skipped).</summary>
    public bool IsSymmetric { get; }

    /// <summary>Bytes held (factors or the dense matrix).</summary>
    public long Bytes => ((long)(_a?.Length ?? 0) + (_b?.Length ?? 0) + (_dense?.Length ?? 0)) * sizeof(double);

    /// <summary>Largest n for which a cost without factors is materialised densely.</summary>
    internal const int DenseLimit = 8192;

    /// <summary>
    /// Resolves a square geometry, divided by <paramref name="scale"/>: exact factors (<see cref="IFactoredGeometry{T}"/>
    /// or <see cref="CostGeometry{T}.TryGetFactors"/>) unless <paramref name="useFactors"/> is false, else the dense
    /// matrix when n ≤ <see cref="DenseLimit"/>.
    /// </summary>
    /// <exception cref="UnsupportedCostException">No factors and n above the dense limit.</exception>
    public static IntraCostOperator FromGeometry(CostGeometry<double> geometry, double scale, string side, bool useFactors = true)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (geometry.Rows != geometry.Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The {side} intra-space cost must be square (got {geometry.Rows}×{geometry.Cols}).", side);
        }

        var n = geometry.Rows;
        LowRankFactors<double>? factors = null;
        if (useFactors)
        {
            if (geometry is IFactoredGeometry<double> f)
            {
                factors = f.Factors;
            }
            else if (geometry.TryGetFactors(out var exact))
            {
                factors = exact;
            }
        }

        var symmetric = geometry is IPointCloudGeometry<double> pc && pc.Source.Data == pc.Target.Data && pc.Source.Count == pc.Target.Count;
        if (factors is not null)
        {
            var a = (double[])factors.A.Clone();
            TensorPrimitives.Multiply(a, 1.0 / scale, a);
            CheckFinite(a, side);
            CheckFinite(factors.B, side);
            return new IntraCostOperator(n, a, factors.B, factors.Rank, null, symmetric);
        }

        if (n > DenseLimit)
        {
            throw new UnsupportedCostException("low-rank Gromov–Wasserstein", $"{side} cost without exact factors at n = {n}", $"factored geometries (squared Euclidean or dot point clouds, IFactoredGeometry) or dense costs up to n = {DenseLimit}");
        }

        var dense = geometry.ToDense(long.MaxValue);
        TensorPrimitives.Multiply(dense, 1.0 / scale, dense);
        CheckFinite(dense, side);
        var sym = true;
        for (var i = 0; i < n && sym; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (dense[(i * n) + j] != dense[(j * n) + i])
                {
                    sym = false;
                    break;
                }
            }
        }

        return new IntraCostOperator(n, null, null, 0, dense, sym);
    }

    /// <summary>A dense operator (tests).</summary>
    public static IntraCostOperator Dense(double[] cost, int n) => FromGeometry(new DenseGeometry<double>(cost, n, n), 1.0, "dense");

    /// <summary>dst (n × r) = C · X (n × r).</summary>
    public void Apply(double[] x, int r, double[] dst, bool transpose = false)
    {
        var n = Size;
        if (_a is not null)
        {
            var (left, right) = transpose ? (_b!, _a) : (_a, _b!);
            var small = new double[FactorRank * r];
            DenseLinearAlgebra.MultiplyTransposed(right, null, n, FactorRank, x, r, small);
            DenseLinearAlgebra.Multiply(left, null, n, FactorRank, small, r, dst);
            return;
        }

        var c = _dense!;
        DenseLinearAlgebra.ForRows(n, n * r, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                var row = dst.AsSpan(i * r, r);
                row.Clear();
                for (var j = 0; j < n; j++)
                {
                    var cij = transpose ? c[(j * n) + i] : c[(i * n) + j];
                    if (cij != 0)
                    {
                        TensorPrimitives.MultiplyAdd(x.AsSpan(j * r, r), cij, row, row);
                    }
                }
            }
        });
    }

    /// <summary>dst = (C∘C)·v (or (C∘C)ᵀ·v), O(n·k²) for factors.</summary>
    public void ApplySquared(ReadOnlySpan<double> v, Span<double> dst, bool transpose = false)
    {
        var n = Size;
        if (_a is null)
        {
            var c = _dense!;
            for (var i = 0; i < n; i++)
            {
                var sum = 0.0;
                for (var j = 0; j < n; j++)
                {
                    var cij = transpose ? c[(j * n) + i] : c[(i * n) + j];
                    sum += cij * cij * v[j];
                }

                dst[i] = sum;
            }

            return;
        }

        // (C∘C)_ij = (a_i·b_j)²: (C∘C) v = (a_iᵀ S a_i) with S = Σ_j v_j b_j b_jᵀ (k × k).
        var k = FactorRank;
        var (left, right) = transpose ? (_b!, _a) : (_a, _b!);
        var chunks = (n + Chunk - 1) / Chunk;
        var partial = new double[chunks * k * k];
        var vArr = v.ToArray();
        Parallel.For(0, chunks, c =>
        {
            var acc = partial.AsSpan(c * k * k, k * k);
            var end = Math.Min(n, (c + 1) * Chunk);
            for (var j = c * Chunk; j < end; j++)
            {
                var w = vArr[j];
                if (w == 0)
                {
                    continue;
                }

                var bj = right.AsSpan(j * k, k);
                for (var p = 0; p < k; p++)
                {
                    TensorPrimitives.MultiplyAdd(bj, w * bj[p], acc.Slice(p * k, k), acc.Slice(p * k, k));
                }
            }
        });
        var s = new double[k * k];
        for (var c = 0; c < chunks; c++)
        {
            TensorPrimitives.Add(s, partial.AsSpan(c * k * k, k * k), s);
        }

        var result = new double[n];
        DenseLinearAlgebra.ForRows(n, k * k, (start, end) =>
        {
            var sa = new double[k];
            for (var i = start; i < end; i++)
            {
                var ai = left.AsSpan(i * k, k);
                for (var p = 0; p < k; p++)
                {
                    sa[p] = TensorPrimitives.Dot(s.AsSpan(p * k, k), ai);
                }

                result[i] = TensorPrimitives.Dot(sa, ai);
            }
        });
        result.CopyTo(dst);
    }

    /// <summary>One entry (tests, dense readouts).</summary>
    public double Entry(int i, int j) => _a is not null
        ? TensorPrimitives.Dot(_a.AsSpan(i * FactorRank, FactorRank), _b.AsSpan(j * FactorRank, FactorRank))
        : _dense![(i * Size) + j];

    private static void CheckFinite(ReadOnlySpan<double> values, string side)
    {
        if (!TensorPrimitives.IsFiniteAll(values))
        {
            throw new InputValidationException(InputProblem.NonFinite, $"The {side} intra-space cost has a non-finite entry (after scaling).", side);
        }
    }
}
