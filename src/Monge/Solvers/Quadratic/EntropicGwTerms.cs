using System.Numerics;
using Monge.Geometry;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// The square-loss Gromov-Wasserstein terms the entropic solvers need, on dense plans: the tensor product
/// (L ⊗ P)_ij = Σ_kl (C1_ik − C2_jl)² P_kl = [(C1∘C1)·P1]_i + [(C2∘C2)·Pᵀ1]_j − 2 [C1 P C2ᵀ]_ij (Peyré et al. 2016,
/// Prop. 1), the gradient L ⊗ P + Lᵀ ⊗ P of GW(P) = ⟨L ⊗ P, P⟩ (2 L ⊗ P when both cost matrices are symmetric) and
/// the value. Every product goes through <see cref="CostGeometry{T}.ApplyCost(ReadOnlySpan{T}, int, Axis, Span{T})"/>:
/// O(n²m + nm²) for dense geometries, O((n + m)·r·m) when a geometry is factored (squared Euclidean point clouds are
/// turned into their exact rank-(d + 2) factors here). Memory: O(n·m) for the plan and two n × m work arrays.
/// </summary>
internal sealed class EntropicGwTerms<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CostGeometry<T> _x;
    private readonly CostGeometry<T> _y;
    private readonly T[] _work1;
    private readonly T[] _work2;

    public EntropicGwTerms(CostGeometry<T> x, CostGeometry<T> y)
    {
        _x = Factored(x);
        _y = Factored(y);
        Rows = x.Rows;
        Cols = y.Rows;
        Symmetric = IsSymmetric(x) && IsSymmetric(y);
        _work1 = new T[(long)Rows * Cols];
        _work2 = new T[(long)Rows * Cols];
    }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>Whether both cost matrices are symmetric (the gradient is then 2 L ⊗ P).</summary>
    public bool Symmetric { get; }

    /// <summary>destination = L ⊗ P (or Lᵀ ⊗ P, built from C1ᵀ and C2ᵀ, when <paramref name="transposed"/>).</summary>
    public void TensorProduct(ReadOnlySpan<T> plan, bool transposed, Span<T> destination)
    {
        var n = Rows;
        var m = Cols;
        var rowSums = new T[n];
        var colSums = new T[m];
        Marginals(plan, n, m, rowSums, colSums);
        var axis = transposed ? Axis.Columns : Axis.Rows;
        var u = new T[n];
        var v = new T[m];
        _x.ApplyCost(default(SquaredCost<T>), rowSums, axis, u);
        _y.ApplyCost(default(SquaredCost<T>), colSums, axis, v);

        // W1 = C1·P (n × m), W2 = C2·W1ᵀ (m × n) = (C1 P C2ᵀ)ᵀ.
        _x.ApplyCost(plan, m, axis, _work1);
        Numerics.DenseLinearAlgebra.Transpose<T>(_work1, n, m, _work2);
        _y.ApplyCost(_work2, n, axis, _work1);
        var w = _work1;
        var two = T.CreateTruncating(2);
        var dst = destination;
        for (var i = 0; i < n; i++)
        {
            var row = dst.Slice(i * m, m);
            var ui = u[i];
            for (var j = 0; j < m; j++)
            {
                row[j] = ui + v[j] - (two * w[(j * n) + i]);
            }
        }
    }

    /// <summary>destination = ∇GW(P) = L ⊗ P + Lᵀ ⊗ P (POT's <c>gwggrad</c>, symmetrized as POT ≥ 0.9 does for asymmetric costs).</summary>
    public void Gradient(ReadOnlySpan<T> plan, Span<T> destination)
    {
        TensorProduct(plan, transposed: false, destination);
        if (Symmetric)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(destination, T.CreateTruncating(2), destination);
            return;
        }

        var second = new T[destination.Length];
        TensorProduct(plan, transposed: true, second);
        System.Numerics.Tensors.TensorPrimitives.Add(destination, second, destination);
    }

    /// <summary>⟨A, B⟩ in double.</summary>
    public static double Dot(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
    {
        double s = 0;
        for (var k = 0; k < a.Length; k++)
        {
            s += double.CreateTruncating(a[k]) * double.CreateTruncating(b[k]);
        }

        return s;
    }

    /// <summary>Row and column sums of an n × m row-major plan.</summary>
    public static void Marginals(ReadOnlySpan<T> plan, int n, int m, Span<T> rows, Span<T> cols)
    {
        var colAcc = new double[m];
        for (var i = 0; i < n; i++)
        {
            double s = 0;
            var row = plan.Slice(i * m, m);
            for (var j = 0; j < m; j++)
            {
                var p = double.CreateTruncating(row[j]);
                s += p;
                colAcc[j] += p;
            }

            rows[i] = T.CreateTruncating(s);
        }

        for (var j = 0; j < m; j++)
        {
            cols[j] = T.CreateTruncating(colAcc[j]);
        }
    }

    private static CostGeometry<T> Factored(CostGeometry<T> geometry)
        => geometry is not LowRankGeometry<T> && !geometry.IsDense && geometry.TryGetFactors(out var factors)
            ? LowRankGeometry<T>.FromFactors(factors, geometry.Rows, geometry.Cols)
            : geometry;

    /// <summary>
    /// Whether C = Cᵀ: a point-cloud geometry on one cloud (every cost function of Monge is symmetric in its two
    /// arguments), or, for other square geometries up to 4096 points, every entry checked (to 1e-12 of the largest entry).
    /// </summary>
    internal static bool IsSymmetric(CostGeometry<T> geometry)
    {
        if (geometry.Rows != geometry.Cols)
        {
            return false;
        }

        if (geometry is IPointCloudGeometry<T> cloud)
        {
            return ReferenceEquals(cloud.Source, cloud.Target);
        }

        var n = geometry.Rows;
        if (n > 4096)
        {
            return false;
        }

        var block = new T[(long)n * n];
        geometry.FillCostBlock(0, n, 0, n, block);
        var maxAbs = 0.0;
        foreach (var v in block)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(double.CreateTruncating(v)));
        }

        var tolerance = 1e-12 * maxAbs;
        var symmetric = true;
        Parallel.For(0, n, (i, state) =>
        {
            for (var j = i + 1; j < n; j++)
            {
                var x = double.CreateTruncating(block[(i * n) + j]);
                var y = double.CreateTruncating(block[(j * n) + i]);
                if (Math.Abs(x - y) > tolerance)
                {
                    symmetric = false;
                    state.Stop();
                    return;
                }
            }
        });
        return symmetric;
    }
}
