using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.LowRank;

/// <summary>
/// A coupling in factored form P = Q M Rᵀ with Q (n × r), M (r × r₂) and R (m × r₂). FRLC gives M = Λ =
/// diag(1/g_Q) T diag(1/g_R); low-rank Sinkhorn gives r = r₂ and M = diag(1/g). Every product here works on the factors
/// (O((n+m)·r·r₂) time at most, O(n + m) extra memory) except <see cref="ToDense"/> and <see cref="HardMap"/>.
/// </summary>
public sealed class LowRankCoupling
{
    private readonly double[] _q;
    private readonly double[] _r;
    private readonly double[] _inner;

    /// <summary>Creates a coupling from its factors (arrays are taken as is, not copied).</summary>
    /// <param name="q">Q, row-major n × r.</param>
    /// <param name="inner">M, row-major r × r₂.</param>
    /// <param name="r">R, row-major m × r₂.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">m.</param>
    /// <param name="rank">r.</param>
    /// <param name="latentRank">r₂.</param>
    /// <exception cref="InputValidationException">The lengths do not match the shapes.</exception>
    public LowRankCoupling(double[] q, double[] inner, double[] r, int rows, int cols, int rank, int latentRank)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(r);
        if (rows < 1 || cols < 1 || rank < 1 || latentRank < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Shapes must be positive (n={rows}, m={cols}, r={rank}, r2={latentRank}).", nameof(rows));
        }

        if (q.Length != (long)rows * rank || r.Length != (long)cols * latentRank || inner.Length != rank * latentRank)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, "Factor lengths do not match n×r, r×r2 and m×r2.", nameof(q));
        }

        _q = q;
        _r = r;
        _inner = inner;
        Rows = rows;
        Cols = cols;
        Rank = rank;
        LatentRank = latentRank;
    }

    /// <summary>Number of source points n.</summary>
    public int Rows { get; }

    /// <summary>Number of target points m.</summary>
    public int Cols { get; }

    /// <summary>Rank r of the source factor Q.</summary>
    public int Rank { get; }

    /// <summary>Rank r₂ of the target factor R.</summary>
    public int LatentRank { get; }

    /// <summary>Q, row-major n × r.</summary>
    public ReadOnlySpan<double> Q => _q;

    /// <summary>R, row-major m × r₂.</summary>
    public ReadOnlySpan<double> R => _r;

    /// <summary>The inner matrix M (r × r₂) with P = Q M Rᵀ.</summary>
    public ReadOnlySpan<double> Inner => _inner;

    internal double[] QArray => _q;

    internal double[] RArray => _r;

    internal double[] InnerArray => _inner;

    /// <summary>The total mass Σ P = 1ᵀQ M Rᵀ1.</summary>
    public double TotalMass
    {
        get
        {
            var gq = DenseLinearAlgebra.ColumnSums(_q, Rows, Rank);
            var gr = DenseLinearAlgebra.ColumnSums(_r, Cols, LatentRank);
            var total = 0.0;
            for (var k = 0; k < Rank; k++)
            {
                total += gq[k] * TensorPrimitives.Dot(_inner.AsSpan(k * LatentRank, LatentRank), gr);
            }

            return total;
        }
    }

    /// <summary>dst = P v (v of length m, dst of length n), in O((n+m)·r) time.</summary>
    public void ApplyPlan(ReadOnlySpan<double> v, Span<double> dst)
    {
        Check(v.Length, Cols, dst.Length, Rows);
        var rtv = new double[LatentRank];
        for (var j = 0; j < Cols; j++)
        {
            TensorPrimitives.MultiplyAdd(_r.AsSpan(j * LatentRank, LatentRank), v[j], rtv, rtv);
        }

        var mv = new double[Rank];
        for (var k = 0; k < Rank; k++)
        {
            mv[k] = TensorPrimitives.Dot(_inner.AsSpan(k * LatentRank, LatentRank), rtv);
        }

        for (var i = 0; i < Rows; i++)
        {
            dst[i] = TensorPrimitives.Dot(_q.AsSpan(i * Rank, Rank), mv);
        }
    }

    /// <summary>dst = Pᵀ u (u of length n, dst of length m), in O((n+m)·r) time.</summary>
    public void ApplyPlanTranspose(ReadOnlySpan<double> u, Span<double> dst)
    {
        Check(u.Length, Rows, dst.Length, Cols);
        var qtu = new double[Rank];
        for (var i = 0; i < Rows; i++)
        {
            TensorPrimitives.MultiplyAdd(_q.AsSpan(i * Rank, Rank), u[i], qtu, qtu);
        }

        var mtu = new double[LatentRank];
        for (var k = 0; k < Rank; k++)
        {
            TensorPrimitives.MultiplyAdd(_inner.AsSpan(k * LatentRank, LatentRank), qtu[k], mtu, mtu);
        }

        for (var j = 0; j < Cols; j++)
        {
            dst[j] = TensorPrimitives.Dot(_r.AsSpan(j * LatentRank, LatentRank), mtu);
        }
    }

    /// <summary>
    /// The plan applied to k vectors: P·V (<see cref="Axis.Rows"/>, V m × k, result n × k) or Pᵀ·U
    /// (<see cref="Axis.Columns"/>, U n × k, result m × k), row-major, in O((n + m)·(r + r₂)·k) time.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong lengths or k below 1.</exception>
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis)
    {
        var (inLength, outLength) = axis == Axis.Rows ? (Cols, Rows) : (Rows, Cols);
        if (columns < 1 || block.Length != (long)inLength * columns)
        {
            throw new ArgumentException($"Expected {inLength} × {columns} values for axis {axis} (got {block.Length}).", nameof(block));
        }

        // P = Q M Rᵀ: P·V = Q (M (Rᵀ V)); Pᵀ·U = R (Mᵀ (Qᵀ U)).
        var (inFactor, inRank, outFactor, outRank) = axis == Axis.Rows ? (_r, LatentRank, _q, Rank) : (_q, Rank, _r, LatentRank);
        var projected = new double[inRank * columns];
        for (var i = 0; i < inLength; i++)
        {
            var src = block.Slice(i * columns, columns);
            for (var k = 0; k < inRank; k++)
            {
                TensorPrimitives.MultiplyAdd(src, inFactor[(i * inRank) + k], projected.AsSpan(k * columns, columns), projected.AsSpan(k * columns, columns));
            }
        }

        var mixed = new double[outRank * columns];
        for (var k = 0; k < Rank; k++)
        {
            for (var l = 0; l < LatentRank; l++)
            {
                var weight = _inner[(k * LatentRank) + l];
                var (to, from) = axis == Axis.Rows ? (k, l) : (l, k);
                TensorPrimitives.MultiplyAdd(projected.AsSpan(from * columns, columns), weight, mixed.AsSpan(to * columns, columns), mixed.AsSpan(to * columns, columns));
            }
        }

        var result = new double[outLength * columns];
        for (var i = 0; i < outLength; i++)
        {
            var dst = result.AsSpan(i * columns, columns);
            for (var k = 0; k < outRank; k++)
            {
                TensorPrimitives.MultiplyAdd(mixed.AsSpan(k * columns, columns), outFactor[(i * outRank) + k], dst, dst);
            }
        }

        return result;
    }

    /// <summary>The source marginal P1 (length n).</summary>
    public double[] SourceMarginal()
    {
        var ones = new double[Cols];
        Array.Fill(ones, 1.0);
        var result = new double[Rows];
        ApplyPlan(ones, result);
        return result;
    }

    /// <summary>The target marginal Pᵀ1 (length m).</summary>
    public double[] TargetMarginal()
    {
        var ones = new double[Rows];
        Array.Fill(ones, 1.0);
        var result = new double[Cols];
        ApplyPlanTranspose(ones, result);
        return result;
    }

    /// <summary>
    /// The primal cost ⟨C, P⟩ = Σ (Qᵀ C R) ⊙ M, computed with one product C·R through the geometry (factors when it
    /// has them; never forming C or P).
    /// </summary>
    /// <param name="geometry">The cost geometry (same shape as the coupling).</param>
    /// <exception cref="InputValidationException">The geometry's shape differs from the coupling's.</exception>
    public double PrimalCost(CostGeometry<double> geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return PrimalCost(LowRankCost.FromGeometry(geometry));
    }

    /// <summary>⟨C, P⟩ on a resolved cost operator.</summary>
    internal double PrimalCost(LowRankCost cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        if (cost.Rows != Rows || cost.Cols != Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Cost is {cost.Rows}×{cost.Cols} but the coupling is {Rows}×{Cols}.", nameof(cost));
        }

        var cr = new double[(long)Rows * LatentRank];
        cost.Products.Apply(_r, LatentRank, cr);
        var qtcr = new double[Rank * LatentRank];
        DenseLinearAlgebra.MultiplyTransposed(_q, null, Rows, Rank, cr, LatentRank, qtcr);
        return TensorPrimitives.Dot(qtcr, _inner);
    }

    /// <summary>One entry P_ij in O(r·r₂) time.</summary>
    public double Entry(int i, int j)
    {
        var qi = _q.AsSpan(i * Rank, Rank);
        var rj = _r.AsSpan(j * LatentRank, LatentRank);
        var s = 0.0;
        for (var k = 0; k < Rank; k++)
        {
            s += qi[k] * TensorPrimitives.Dot(_inner.AsSpan(k * LatentRank, LatentRank), rj);
        }

        return s;
    }

    /// <summary>
    /// The dense plan (row-major n × m). Guarded by <see cref="PlanSize.EnsureDense{T}"/>: throws when n·m exceeds
    /// <paramref name="maxEntries"/> (default <see cref="PlanSize.DefaultMaxEntries"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The plan is larger than <paramref name="maxEntries"/>.</exception>
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries)
    {
        var size = PlanSize.EnsureDense<double>(Rows, Cols, maxEntries, "plan");
        var qm = QTimesInner();
        var plan = new double[size];
        DenseLinearAlgebra.MultiplyByTranspose(qm, Rows, LatentRank, _r, Cols, plan);
        return plan;
    }

    /// <summary>
    /// The diagonal form used by Hierarchical Refinement and by Scetbon et al. (2021): P = Q′ diag(1/g) Rᵀ with
    /// g = Rᵀ1 and Q′ = Q M diag(g) (n × r₂). Returned as a new coupling whose inner matrix is diag(1/g).
    /// </summary>
    public LowRankCoupling Diagonalize()
    {
        var g = DenseLinearAlgebra.ColumnSums(_r, Cols, LatentRank);
        var qm = QTimesInner();
        for (var i = 0; i < Rows; i++)
        {
            TensorPrimitives.Multiply(qm.AsSpan(i * LatentRank, LatentRank), g, qm.AsSpan(i * LatentRank, LatentRank));
        }

        var inner = new double[LatentRank * LatentRank];
        for (var l = 0; l < LatentRank; l++)
        {
            inner[(l * LatentRank) + l] = g[l] > 0 ? 1.0 / g[l] : 0.0;
        }

        return new LowRankCoupling(qm, inner, (double[])_r.Clone(), Rows, Cols, LatentRank, LatentRank);
    }

    /// <summary>Source cluster labels: argmax_k Q_ik for each source point (ties go to the lowest k).</summary>
    public int[] SourceClusters() => ArgMaxRows(_q, Rows, Rank);

    /// <summary>Target cluster labels: argmax_l R_jl for each target point (ties go to the lowest l).</summary>
    public int[] TargetClusters() => ArgMaxRows(_r, Cols, LatentRank);

    /// <summary>
    /// Co-cluster barycentres of the source: diag(1/Qᵀ1) Qᵀ X (r × d, row-major), as in the reference's LC_proj.
    /// </summary>
    /// <exception cref="InputValidationException">The cloud has the wrong number of points.</exception>
    public double[] SourceBarycenters(PointCloud<double> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Barycenters(_q, Rows, Rank, source, nameof(source));
    }

    /// <summary>Co-cluster barycentres of the target: diag(1/Rᵀ1) Rᵀ Y (r₂ × d, row-major).</summary>
    /// <exception cref="InputValidationException">The cloud has the wrong number of points.</exception>
    public double[] TargetBarycenters(PointCloud<double> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Barycenters(_r, Cols, LatentRank, target, nameof(target));
    }

    /// <summary>
    /// A hard readout of a map: j(i) = argmax_j P_ij. Costs O(n·m·r₂) time and O(n·r₂) memory; it is not a bijection
    /// in general (several i may pick the same j). Ties go to the lowest j.
    /// </summary>
    public int[] HardMap()
    {
        var qm = QTimesInner();
        var map = new int[Rows];
        Parallel.For(0, Rows, i =>
        {
            var row = qm.AsSpan(i * LatentRank, LatentRank);
            var best = double.NegativeInfinity;
            var arg = 0;
            for (var j = 0; j < Cols; j++)
            {
                var p = TensorPrimitives.Dot(row, _r.AsSpan(j * LatentRank, LatentRank));
                if (p > best)
                {
                    best = p;
                    arg = j;
                }
            }

            map[i] = arg;
        });
        return map;
    }

    private double[] QTimesInner()
    {
        // (Q M)_il = Σ_k Q_ik M_kl.
        var qm = new double[(long)Rows * LatentRank];
        DenseLinearAlgebra.Multiply(_q, null, Rows, Rank, _inner, LatentRank, qm);
        return qm;
    }

    private static int[] ArgMaxRows(double[] x, int n, int r)
    {
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = TensorPrimitives.IndexOfMax<double>(x.AsSpan(i * r, r));
        }

        return labels;
    }

    private static double[] Barycenters(double[] factor, int n, int r, PointCloud<double> cloud, string name)
    {
        if (cloud.Count != n)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The cloud has {cloud.Count} points but the factor has {n} rows.", name);
        }

        var d = cloud.Dimension;
        var result = new double[r * d];
        var mass = new double[r];
        var data = cloud.Data;
        for (var i = 0; i < n; i++)
        {
            var row = data.Slice(i * d, d);
            for (var k = 0; k < r; k++)
            {
                var w = factor[(i * r) + k];
                mass[k] += w;
                TensorPrimitives.MultiplyAdd(row, w, result.AsSpan(k * d, d), result.AsSpan(k * d, d));
            }
        }

        for (var k = 0; k < r; k++)
        {
            if (mass[k] > 0)
            {
                TensorPrimitives.Multiply(result.AsSpan(k * d, d), 1.0 / mass[k], result.AsSpan(k * d, d));
            }
        }

        return result;
    }

    private static void Check(int inLength, int expectedIn, int outLength, int expectedOut)
    {
        if (inLength != expectedIn || outLength != expectedOut)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Expected input of length {expectedIn} and output of length {expectedOut}, got {inLength} and {outLength}.");
        }
    }
}
