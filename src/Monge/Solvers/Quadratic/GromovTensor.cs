using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.LowRank;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// The Gromov-Wasserstein tensor product (L ⊗ P)_ij = Σ_kl L(C1_ik, C2_jl) P_kl, the GW value ⟨L ⊗ P, P⟩ and its
/// gradient L ⊗ P + Lᵀ ⊗ P, computed with the decomposition L(a, b) = f1(a) + f2(b) − h1(a)·h2(b) of Peyré, Cuturi and
/// Solomon (ICML 2016, Prop. 1): L ⊗ P = f1(C1)·p 1ᵀ + 1 (f2(C2)·q)ᵀ − h1(C1)·P·h2(C2)ᵀ with p = P1 and q = Pᵀ1.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Dense plans: every product goes through the geometries (<c>ApplyCost</c> and its element-wise form), so a point
/// cloud is never stored as n × n (its tiles are recomputed), and a <see cref="DenseGeometry{T}"/> runs a cache-blocked
/// kernel. O(n²m + nm²) time (plus the cost of the entries for online geometries), O(n·m) memory for the result and
/// one n × m intermediate.
/// </para>
/// <para>
/// Factored plans P = Q M Rᵀ (<see cref="LowRankCoupling"/>, rank r) with factored costs C1 = A1 B1ᵀ and C2 = A2 B2ᵀ
/// (ranks k1, k2; squared Euclidean point clouds have k = d + 2): C∘C is never formed either (f1(C1)·p =
/// diag(A1 S A1ᵀ) with S = Σ_k p_k b_k b_kᵀ), and L ⊗ P comes back as a factored geometry of rank k2 + 2. O((n + m)·(r·k
/// + k²)) time and memory; square loss only (log C has no factors).
/// </para>
/// <para>
/// Values follow POT: GW(P) = ⟨L ⊗ P, P⟩, no ½ and no root; the gradient is 2·L ⊗ P when C1 and C2 are symmetric.
/// Thread-safe; results do not depend on the number of threads.
/// </para>
/// </remarks>
public sealed class GromovTensor<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the tensor of two intra-space costs.</summary>
    /// <param name="geometryX">C1, n × n.</param>
    /// <param name="geometryY">C2, m × m.</param>
    /// <param name="loss">The loss L.</param>
    /// <param name="symmetric">Whether C1 and C2 are both symmetric (then the gradient is 2·L ⊗ P); false is always correct.</param>
    /// <exception cref="InputValidationException">A geometry is not square, or the loss is unknown.</exception>
    public GromovTensor(CostGeometry<T> geometryX, CostGeometry<T> geometryY, GromovLoss loss = GromovLoss.Square, bool symmetric = false)
    {
        ArgumentNullException.ThrowIfNull(geometryX);
        ArgumentNullException.ThrowIfNull(geometryY);
        if (geometryX.Rows != geometryX.Cols || geometryY.Rows != geometryY.Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Intra-space costs must be square (got {geometryX.Rows} × {geometryX.Cols} and {geometryY.Rows} × {geometryY.Cols}).", nameof(geometryX));
        }

        if (!Enum.IsDefined(loss))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown Gromov loss {loss}.", nameof(loss));
        }

        GeometryX = geometryX;
        GeometryY = geometryY;
        Loss = loss;
        IsSymmetric = symmetric;
    }

    /// <summary>C1 (n × n).</summary>
    public CostGeometry<T> GeometryX { get; }

    /// <summary>C2 (m × m).</summary>
    public CostGeometry<T> GeometryY { get; }

    /// <summary>The loss L.</summary>
    public GromovLoss Loss { get; }

    /// <summary>Whether C1 and C2 are treated as symmetric.</summary>
    public bool IsSymmetric { get; }

    /// <summary>n.</summary>
    public int Rows => GeometryX.Rows;

    /// <summary>m.</summary>
    public int Cols => GeometryY.Rows;

    /// <summary>L ⊗ P for a dense plan (row-major n × m; any non-negative or signed matrix, for example a direction).</summary>
    /// <param name="plan">P, length n·m.</param>
    /// <returns>L ⊗ P, a fresh row-major n × m array.</returns>
    /// <exception cref="ArgumentException">The plan has the wrong length.</exception>
    public T[] Apply(ReadOnlySpan<T> plan)
    {
        CheckPlan(plan);
        return ApplyDense(plan, Axis.Rows);
    }

    /// <summary>Lᵀ ⊗ P, the tensor of the transposed costs: (Lᵀ ⊗ P)_ij = Σ_kl L(C1_ki, C2_lj) P_kl.</summary>
    /// <param name="plan">P, length n·m.</param>
    /// <returns>A fresh row-major n × m array (equal to <see cref="Apply(ReadOnlySpan{T})"/> for symmetric costs).</returns>
    /// <exception cref="ArgumentException">The plan has the wrong length.</exception>
    public T[] ApplyTransposed(ReadOnlySpan<T> plan)
    {
        CheckPlan(plan);
        return ApplyDense(plan, Axis.Columns);
    }

    /// <summary>The gradient of GW at P: L ⊗ P + Lᵀ ⊗ P (2·L ⊗ P for symmetric costs, POT's <c>gwggrad</c>).</summary>
    /// <param name="plan">P, length n·m.</param>
    /// <returns>A fresh row-major n × m array.</returns>
    /// <exception cref="ArgumentException">The plan has the wrong length.</exception>
    public T[] Gradient(ReadOnlySpan<T> plan)
    {
        CheckPlan(plan);
        var g = ApplyDense(plan, Axis.Rows);
        if (IsSymmetric)
        {
            TensorPrimitives.Multiply(g, T.CreateTruncating(2), g);
        }
        else
        {
            var t = ApplyDense(plan, Axis.Columns);
            TensorPrimitives.Add(g, t, g);
        }

        return g;
    }

    /// <summary>
    /// The gradient L ⊗ P + Lᵀ ⊗ P written into <paramref name="destination"/>. With the square loss and both costs
    /// factored (<see cref="LowRankGeometry{T}"/>: C1 = A1 B1ᵀ, C2 = A2 B2ᵀ of ranks k1, k2) the cross term
    /// C1 P C2ᵀ = A1 (B1ᵀ P B2) A2ᵀ goes through the k1 × k2 core, O(n·m·k2) time and no n × m temporary; otherwise it
    /// falls back to <see cref="Gradient(ReadOnlySpan{T})"/> (which allocates).
    /// </summary>
    internal void GradientInto(ReadOnlySpan<T> plan, Span<T> destination)
    {
        CheckPlan(plan);
        if (Loss != GromovLoss.Square || GeometryX is not LowRankGeometry<T> || GeometryY is not LowRankGeometry<T>)
        {
            Gradient(plan).CopyTo(destination);
            return;
        }

        _factored ??= new FactoredSquare((LowRankGeometry<T>)GeometryX, (LowRankGeometry<T>)GeometryY);
        var n = Rows;
        var m = Cols;
        var p = new T[n];
        var q = new T[m];
        for (var i = 0; i < n; i++)
        {
            var row = plan.Slice(i * m, m);
            p[i] = TensorPrimitives.Sum(row);
            TensorPrimitives.Add(q, row, q);
        }

        _factored.Write(this, plan, p, q, Axis.Rows, destination, accumulate: false, T.CreateTruncating(IsSymmetric ? 2 : 1));
        if (!IsSymmetric)
        {
            _factored.Write(this, plan, p, q, Axis.Columns, destination, accumulate: true, T.One);
        }
    }

    private FactoredSquare? _factored;

    /// <summary>The square-loss tensor product on factored costs, written row by row (no n × m temporaries).</summary>
    private sealed class FactoredSquare
    {
        private readonly T[] _a1;
        private readonly T[] _b1;
        private readonly T[] _a2T;
        private readonly T[] _b2T;
        private readonly T[] _a2;
        private readonly T[] _b2;
        private readonly int _k1;
        private readonly int _k2;

        public FactoredSquare(LowRankGeometry<T> x, LowRankGeometry<T> y)
        {
            var fx = x.Factors;
            var fy = y.Factors;
            _a1 = fx.A;
            _b1 = fx.B;
            _k1 = fx.Rank;
            _a2 = fy.A;
            _b2 = fy.B;
            _k2 = fy.Rank;
            var m = y.Rows;
            _a2T = new T[_k2 * m];
            _b2T = new T[_k2 * m];
            for (var j = 0; j < m; j++)
            {
                for (var c = 0; c < _k2; c++)
                {
                    _a2T[(c * m) + j] = _a2[(j * _k2) + c];
                    _b2T[(c * m) + j] = _b2[(j * _k2) + c];
                }
            }
        }

        /// <summary>
        /// destination (+)= scale·(u ⊕ v − 2·L1 (R1ᵀ P R2) L2ᵀ) with (L, R) = (A, B) for <see cref="Axis.Rows"/> (L ⊗ P) and
        /// (B, A) for <see cref="Axis.Columns"/> (Lᵀ ⊗ P); u = (C1∘C1) p, v = (C2∘C2) q along the same axis.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Write(GromovTensor<T> tensor, ReadOnlySpan<T> plan, T[] p, T[] q, Axis axis, Span<T> destination, bool accumulate, T scale)
        {
            var n = tensor.Rows;
            var m = tensor.Cols;
            var u = new T[n];
            var v = new T[m];
            tensor.GeometryX.ApplyCost(default(SquaredCost<T>), p, axis, u);
            tensor.GeometryY.ApplyCost(default(SquaredCost<T>), q, axis, v);
            var (l1, r1) = axis == Axis.Rows ? (_a1, _b1) : (_b1, _a1);
            var (l2T, r2T) = axis == Axis.Rows ? (_a2T, _b2T) : (_b2T, _a2T);
            var k1 = _k1;
            var k2 = _k2;

            // core = R1ᵀ (P R2), k1 × k2, accumulated in row order (the same sums whatever the thread count).
            var core = new double[k1 * k2];
            var w = new T[k2];
            for (var i = 0; i < n; i++)
            {
                var row = plan.Slice(i * m, m);
                for (var c = 0; c < k2; c++)
                {
                    w[c] = TensorPrimitives.Dot(row, new ReadOnlySpan<T>(r2T, c * m, m));
                }

                for (var a = 0; a < k1; a++)
                {
                    var ria = double.CreateTruncating(r1[(i * k1) + a]);
                    for (var c = 0; c < k2; c++)
                    {
                        core[(a * k2) + c] += ria * double.CreateTruncating(w[c]);
                    }
                }
            }

            var minusTwo = -2 * double.CreateTruncating(scale);
            var coreT = new T[k1 * k2];
            for (var e = 0; e < coreT.Length; e++)
            {
                coreT[e] = T.CreateTruncating(minusTwo * core[e]);
            }

            var sv = new T[m];
            TensorPrimitives.Multiply(v, scale, sv);
            var ci = new T[k2];
            for (var i = 0; i < n; i++)
            {
                // ci = −2·scale·L1_i core; row = scale·(u_i + v) + ci L2ᵀ.
                Array.Clear(ci);
                for (var a = 0; a < k1; a++)
                {
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(coreT, a * k2, k2), l1[(i * k1) + a], ci, ci);
                }

                var dst = destination.Slice(i * m, m);
                if (accumulate)
                {
                    TensorPrimitives.Add(dst, sv, dst);
                    TensorPrimitives.Add(dst, scale * u[i], dst);
                }
                else
                {
                    TensorPrimitives.Add(sv, scale * u[i], dst);
                }

                for (var c = 0; c < k2; c++)
                {
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(l2T, c * m, m), ci[c], dst, dst);
                }
            }
        }
    }

    /// <summary>GW(P) = ⟨L ⊗ P, P⟩ (POT's value: no ½, no root).</summary>
    /// <param name="plan">P, length n·m.</param>
    /// <returns>The value, accumulated in double.</returns>
    /// <exception cref="ArgumentException">The plan has the wrong length.</exception>
    public double Value(ReadOnlySpan<T> plan) => Inner(Apply(plan), plan);

    /// <summary>L ⊗ P for a factored plan P = Q M Rᵀ, as a factored n × m geometry of rank k2 + 2.</summary>
    /// <param name="plan">The plan.</param>
    /// <returns>The geometry [f1(C1)p, 1, −2·A1K] · [1, f2(C2)q, A2]ᵀ.</returns>
    /// <exception cref="UnsupportedCostException">C1 or C2 has no factors, or the loss is not square.</exception>
    /// <exception cref="InputValidationException">The plan's shape differs.</exception>
    public LowRankGeometry<T> Apply(LowRankCoupling plan)
    {
        var (left, right, rank) = ApplyFactored(plan, transposed: false);
        return new LowRankGeometry<T>(ToT(left), ToT(right), Rows, Cols, rank);
    }

    /// <summary>The gradient of GW at a factored plan, as a factored geometry (rank k2 + 2 for symmetric costs, 2·(k2 + 2) otherwise).</summary>
    /// <param name="plan">The plan.</param>
    /// <returns>The gradient geometry.</returns>
    /// <exception cref="UnsupportedCostException">C1 or C2 has no factors, or the loss is not square.</exception>
    /// <exception cref="InputValidationException">The plan's shape differs.</exception>
    public LowRankGeometry<T> Gradient(LowRankCoupling plan)
    {
        var (left, right, rank) = ApplyFactored(plan, transposed: false);
        if (IsSymmetric)
        {
            TensorPrimitives.Multiply(left, 2.0, left);
            return new LowRankGeometry<T>(ToT(left), ToT(right), Rows, Cols, rank);
        }

        var (left2, right2, rank2) = ApplyFactored(plan, transposed: true);
        var total = rank + rank2;
        var l = new double[(long)Rows * total];
        var r = new double[(long)Cols * total];
        for (var i = 0; i < Rows; i++)
        {
            left.AsSpan(i * rank, rank).CopyTo(l.AsSpan(i * total));
            left2.AsSpan(i * rank2, rank2).CopyTo(l.AsSpan((i * total) + rank));
        }

        for (var j = 0; j < Cols; j++)
        {
            right.AsSpan(j * rank, rank).CopyTo(r.AsSpan(j * total));
            right2.AsSpan(j * rank2, rank2).CopyTo(r.AsSpan((j * total) + rank));
        }

        return new LowRankGeometry<T>(ToT(l), ToT(r), Rows, Cols, total);
    }

    /// <summary>GW(P) = ⟨L ⊗ P, P⟩ for a factored plan, in O((n + m)·(r·k + k²)).</summary>
    /// <param name="plan">The plan.</param>
    /// <returns>The value.</returns>
    /// <exception cref="UnsupportedCostException">C1 or C2 has no factors, or the loss is not square.</exception>
    /// <exception cref="InputValidationException">The plan's shape differs.</exception>
    public double Value(LowRankCoupling plan)
    {
        var (left, right, rank) = ApplyFactored(plan, transposed: false);
        return FactoredInner(left, right, rank, plan);
    }

    /// <summary>Whether C = Cᵀ: by construction for a point cloud against itself with a built-in cost, else entry by entry up to 2²⁶ entries (larger: false).</summary>
    internal static bool IsSymmetricGeometry(CostGeometry<T> geometry)
    {
        if (geometry is IPointCloudGeometry<T> cloud && ReferenceEquals(cloud.Source, cloud.Target) && cloud.CostFunction is not Geometry.Costs.DelegateCost<T>)
        {
            return true;
        }

        var n = geometry.Rows;
        if (n != geometry.Cols || (long)n * n > 1L << 26)
        {
            return false;
        }

        // Tile (I, J) against tile (J, I)ᵀ for I ≤ J; tolerance: a few roundings of the largest entry.
        const int tile = 64;
        var block = new T[tile * tile];
        var mirror = new T[tile * tile];
        var scale = T.Zero;
        var worst = T.Zero;
        for (var i0 = 0; i0 < n; i0 += tile)
        {
            var ri = Math.Min(tile, n - i0);
            for (var j0 = i0; j0 < n; j0 += tile)
            {
                var rj = Math.Min(tile, n - j0);
                geometry.FillCostBlock(i0, ri, j0, rj, block);
                geometry.FillCostBlock(j0, rj, i0, ri, mirror);
                for (var r = 0; r < ri; r++)
                {
                    for (var c = 0; c < rj; c++)
                    {
                        var x = block[(r * rj) + c];
                        var y = mirror[(c * ri) + r];
                        if (!T.IsFinite(x) || !T.IsFinite(y))
                        {
                            return false;
                        }

                        scale = T.Max(scale, T.Abs(x));
                        worst = T.Max(worst, T.Abs(x - y));
                    }
                }
            }
        }

        return worst <= T.CreateChecked(typeof(T) == typeof(float) ? 16 * 1.2e-7 : 16 * 2.3e-16) * scale;
    }

    /// <summary>⟨X, P⟩ accumulated in double, row by row in index order.</summary>
    internal static double Inner(ReadOnlySpan<T> x, ReadOnlySpan<T> plan)
    {
        if (typeof(T) == typeof(double))
        {
            return double.CreateTruncating(TensorPrimitives.Dot(x, plan));
        }

        var sum = 0.0;
        for (var k = 0; k < x.Length; k++)
        {
            sum += double.CreateTruncating(x[k]) * double.CreateTruncating(plan[k]);
        }

        return sum;
    }

    /// <summary>
    /// The cross term c·h1(C1)·P·h2(C2)ᵀ (c = 2 for the square loss) for <see cref="Axis.Rows"/>, or
    /// c·h1(C1)ᵀ·P·h2(C2) for <see cref="Axis.Columns"/>: the part of L ⊗ P that does not depend on P's marginals only.
    /// </summary>
    internal T[] Cross(ReadOnlySpan<T> plan, Axis axis) => Loss switch
    {
        GromovLoss.Square => CrossCore(plan, axis, default(BlockedProduct.Identity<T>), default(BlockedProduct.Identity<T>), T.CreateTruncating(2)),
        _ => CrossCore(plan, axis, default(BlockedProduct.Identity<T>), default(ShiftedLog), T.One),
    };

    /// <summary>
    /// The cross term of a sparse plan S given by coordinates (rows k_s, columns l_s, masses w_s): c·h1(C1)·S·h2(C2)ᵀ
    /// for <see cref="Axis.Rows"/>, c·h1(C1)ᵀ·S·h2(C2) for <see cref="Axis.Columns"/>. One blocked product of
    /// n × nnz × m: for a vertex of the transport polytope (nnz ≤ n + m − 1, n for a permutation) this is half the
    /// work of the dense path or less. Rows of C1 and C2 (of their transposes for Rows) are read through the geometries.
    /// </summary>
    internal T[] CrossSparse(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols, ReadOnlySpan<double> mass, Axis axis) => Loss switch
    {
        GromovLoss.Square => CrossSparseCore(rows, cols, mass, axis, default(BlockedProduct.Identity<T>), default(BlockedProduct.Identity<T>), T.CreateTruncating(2)),
        _ => CrossSparseCore(rows, cols, mass, axis, default(BlockedProduct.Identity<T>), default(ShiftedLog), T.One),
    };

    /// <summary>
    /// The gradient of GW at the product plan P = a bᵀ / Σb (the default start), in O(n² + m²): the cross term of a
    /// rank-one plan is the outer product c·(h1(C1) a)(h2(C2) b)ᵀ / Σb.
    /// </summary>
    internal T[] GradientOfProduct(ReadOnlySpan<T> a, ReadOnlySpan<T> b) => Loss switch
    {
        GromovLoss.Square => GradientOfProductCore(a, b, default(SquaredCost<T>), default(SquaredCost<T>), default(BlockedProduct.Identity<T>), default(BlockedProduct.Identity<T>), T.CreateTruncating(2)),
        _ => GradientOfProductCore(a, b, default(EntropyTerm), default(BlockedProduct.Identity<T>), default(BlockedProduct.Identity<T>), default(ShiftedLog), T.One),
    };

    /// <summary>f1(C1)·p + f2(C2)·q as the two vectors (u, v) of the marginal part u_i + v_j of L ⊗ P (both axes summed when asymmetric).</summary>
    internal (T[] U, T[] V) MarginalTerms(ReadOnlySpan<T> p, ReadOnlySpan<T> q) => Loss switch
    {
        GromovLoss.Square => MarginalTermsCore(p, q, default(SquaredCost<T>), default(SquaredCost<T>)),
        _ => MarginalTermsCore(p, q, default(EntropyTerm), default(BlockedProduct.Identity<T>)),
    };

    private (T[] U, T[] V) MarginalTermsCore<TF1, TF2>(ReadOnlySpan<T> p, ReadOnlySpan<T> q, TF1 f1, TF2 f2)
        where TF1 : struct, IElementwise<T>
        where TF2 : struct, IElementwise<T>
    {
        var u = new T[Rows];
        var v = new T[Cols];
        GeometryX.ApplyCost(f1, p, Axis.Rows, u);
        GeometryY.ApplyCost(f2, q, Axis.Rows, v);
        if (!IsSymmetric)
        {
            var ut = new T[Rows];
            var vt = new T[Cols];
            GeometryX.ApplyCost(f1, p, Axis.Columns, ut);
            GeometryY.ApplyCost(f2, q, Axis.Columns, vt);
            TensorPrimitives.Add(u, ut, u);
            TensorPrimitives.Add(v, vt, v);
        }
        else
        {
            TensorPrimitives.Multiply(u, T.CreateTruncating(2), u);
            TensorPrimitives.Multiply(v, T.CreateTruncating(2), v);
        }

        return (u, v);
    }

    private T[] GradientOfProductCore<TF1, TF2, TH1, TH2>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, TF1 f1, TF2 f2, TH1 h1, TH2 h2, T c)
        where TF1 : struct, IElementwise<T>
        where TF2 : struct, IElementwise<T>
        where TH1 : struct, IElementwise<T>
        where TH2 : struct, IElementwise<T>
    {
        var n = Rows;
        var m = Cols;
        var massB = TensorPrimitives.Sum(b);
        var q = b.ToArray();
        var p = a.ToArray();

        // P = a bᵀ / Σb: P1 = a, Pᵀ1 = b·Σa/Σb.
        TensorPrimitives.Multiply(q, TensorPrimitives.Sum(a) / massB, q);
        var (u, v) = MarginalTermsCore(p, q, f1, f2);
        var result = new T[(long)n * m];
        var axes = IsSymmetric ? new[] { Axis.Rows } : new[] { Axis.Rows, Axis.Columns };
        var weight = IsSymmetric ? c + c : c;
        foreach (var axis in axes)
        {
            var x = new T[n];
            var y = new T[m];
            GeometryX.ApplyCost(h1, a, axis, x);
            GeometryY.ApplyCost(h2, b, axis, y);
            TensorPrimitives.Multiply(x, weight / massB, x);
            for (var i = 0; i < n; i++)
            {
                var row = result.AsSpan(i * m, m);
                TensorPrimitives.MultiplyAdd(y, x[i], row, row);
            }
        }

        for (var i = 0; i < n; i++)
        {
            var row = result.AsSpan(i * m, m);
            TensorPrimitives.Subtract(v, row, row);
            TensorPrimitives.Add(row, u[i], row);
        }

        return result;
    }

    private T[] CrossSparseCore<TH1, TH2>(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols, ReadOnlySpan<double> mass, Axis axis, TH1 h1, TH2 h2, T c)
        where TH1 : struct, IElementwise<T>
        where TH2 : struct, IElementwise<T>
    {
        var n = Rows;
        var m = Cols;
        var nnz = rows.Length;

        // Rows: X_ij = c Σ_s h1(C1[i, k_s]) w_s h2(C2[j, l_s]): columns of C1 and C2 are rows of their transposes.
        var sourceRows = axis == Axis.Rows && !IsSymmetric ? GeometryX.Transpose() : GeometryX;
        var targetRows = axis == Axis.Rows && !IsSymmetric ? GeometryY.Transpose() : GeometryY;
        var leftT = new T[(long)nnz * n];   // row s: w_s·h1(C1 column k_s)
        var right = new T[(long)nnz * m];   // row s: h2(C2 column l_s)
        for (var s = 0; s < nnz; s++)
        {
            var lrow = leftT.AsSpan(s * n, n);
            sourceRows.FillCostBlock(rows[s], 1, 0, n, lrow);
            h1.Apply(lrow);
            TensorPrimitives.Multiply(lrow, c * T.CreateTruncating(mass[s]), lrow);
            var rrow = right.AsSpan(s * m, m);
            targetRows.FillCostBlock(cols[s], 1, 0, m, rrow);
            h2.Apply(rrow);
        }

        var left = DenseLinearAlgebra.Transpose<T>(leftT, nnz, n);
        var result = new T[(long)n * m];
        BlockedProduct.Multiply(left, n, nnz, T.One, default(BlockedProduct.Identity<T>), right, m, result);
        return result;
    }

    private T[] ApplyDense(ReadOnlySpan<T> plan, Axis axis) => Loss switch
    {
        GromovLoss.Square => ApplyDenseCore(plan, axis, default(SquaredCost<T>), default(SquaredCost<T>), default(BlockedProduct.Identity<T>), default(BlockedProduct.Identity<T>), T.CreateTruncating(2)),
        _ => ApplyDenseCore(plan, axis, default(EntropyTerm), default(BlockedProduct.Identity<T>), default(BlockedProduct.Identity<T>), default(ShiftedLog), T.One),
    };

    private T[] ApplyDenseCore<TF1, TF2, TH1, TH2>(ReadOnlySpan<T> plan, Axis axis, TF1 f1, TF2 f2, TH1 h1, TH2 h2, T c)
        where TF1 : struct, IElementwise<T>
        where TF2 : struct, IElementwise<T>
        where TH1 : struct, IElementwise<T>
        where TH2 : struct, IElementwise<T>
    {
        var n = Rows;
        var m = Cols;
        var p = new T[n];
        var q = new T[m];
        for (var i = 0; i < n; i++)
        {
            var row = plan.Slice(i * m, m);
            p[i] = TensorPrimitives.Sum(row);
            TensorPrimitives.Add(q, row, q);
        }

        var u = new T[n];
        var v = new T[m];
        GeometryX.ApplyCost(f1, p, axis, u);
        GeometryY.ApplyCost(f2, q, axis, v);
        var result = CrossCore(plan, axis, h1, h2, c);
        for (var i = 0; i < n; i++)
        {
            var row = result.AsSpan(i * m, m);

            // row = u_i + v − cross_i
            TensorPrimitives.Subtract(v, row, row);
            TensorPrimitives.Add(row, u[i], row);
        }

        return result;
    }

    private T[] CrossCore<TH1, TH2>(ReadOnlySpan<T> plan, Axis axis, TH1 h1, TH2 h2, T c)
        where TH1 : struct, IElementwise<T>
        where TH2 : struct, IElementwise<T>
    {
        var n = Rows;
        var m = Cols;

        // X = h1(C1)·P (n × m), then Y = h2(C2)·Xᵀ (m × n): cross_ij = c·Y_ji.
        var x = new T[(long)n * m];
        GeometryX.ApplyCost(h1, plan, m, axis, x);
        var xt = DenseLinearAlgebra.Transpose<T>(x, n, m);
        var y = x;
        GeometryY.ApplyCost(h2, xt, n, axis, y);
        var result = DenseLinearAlgebra.Transpose<T>(y, m, n);
        if (c != T.One)
        {
            TensorPrimitives.Multiply(result, c, result);
        }

        return result;
    }

    private (double[] Left, double[] Right, int Rank) ApplyFactored(LowRankCoupling plan, bool transposed)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Rows != Rows || plan.Cols != Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The plan is {plan.Rows} × {plan.Cols}; the costs are {Rows} × {Rows} and {Cols} × {Cols}.", nameof(plan));
        }

        if (Loss != GromovLoss.Square)
        {
            throw new UnsupportedCostException("Gromov-Wasserstein on factored plans", Loss.ToString(), "the square loss (log C has no low-rank factors)");
        }

        if (!GeometryX.TryGetFactors(out var fx) || !GeometryY.TryGetFactors(out var fy))
        {
            throw new UnsupportedCostException("Gromov-Wasserstein on factored plans", "an intra-space cost without factors", "factored costs: low-rank geometries, or point clouds with the squared Euclidean or dot-product cost");
        }

        var n = Rows;
        var m = Cols;
        var (k1, k2) = (fx.Rank, fy.Rank);

        // C1 = A1 B1ᵀ; the transposed tensor uses C1ᵀ = B1 A1ᵀ (and the same for C2).
        var a1 = ToDouble(transposed ? fx.B : fx.A);
        var b1 = ToDouble(transposed ? fx.A : fx.B);
        var a2 = ToDouble(transposed ? fy.B : fy.A);
        var b2 = ToDouble(transposed ? fy.A : fy.B);
        var r = plan.Rank;
        var r2 = plan.LatentRank;
        var qf = plan.Q.ToArray();
        var rf = plan.R.ToArray();
        var inner = plan.Inner.ToArray();
        var p = plan.SourceMarginal();
        var q = plan.TargetMarginal();

        // f1(C1)·p = (C1∘C1) p: u_i = a_iᵀ S a_i with S = Σ_k p_k b_k b_kᵀ.
        var u = QuadraticForms(a1, b1, p, n, k1);
        var v = QuadraticForms(a2, b2, q, m, k2);

        // C1 P C2ᵀ = A1 K A2ᵀ with K = (B1ᵀ Q) M (Rᵀ B2), k1 × k2.
        var bq = TransposeTimes(b1, n, k1, qf, r);          // k1 × r
        var rb = TransposeTimes(rf, m, r2, b2, k2);         // r2 × k2
        var mrb = new double[r * k2];
        DenseLinearAlgebra.Multiply(inner, null, r, r2, rb, k2, mrb);
        var kMat = new double[k1 * k2];
        DenseLinearAlgebra.Multiply(bq, null, k1, r, mrb, k2, kMat);
        var ak = new double[(long)n * k2];
        DenseLinearAlgebra.Multiply(a1, null, n, k1, kMat, k2, ak);

        // L ⊗ P = u 1ᵀ + 1 vᵀ − 2 (A1 K) A2ᵀ: left_i = [u_i, 1, −2 (A1K)_i], right_j = [1, v_j, a2_j].
        var rank = k2 + 2;
        var left = new double[(long)n * rank];
        var right = new double[(long)m * rank];
        for (var i = 0; i < n; i++)
        {
            var row = left.AsSpan(i * rank, rank);
            row[0] = u[i];
            row[1] = 1;
            TensorPrimitives.Multiply(ak.AsSpan(i * k2, k2), -2.0, row[2..]);
        }

        for (var j = 0; j < m; j++)
        {
            var row = right.AsSpan(j * rank, rank);
            row[0] = 1;
            row[1] = v[j];
            a2.AsSpan(j * k2, k2).CopyTo(row[2..]);
        }

        return (left, right, rank);
    }

    /// <summary>⟨X Yᵀ, Q M Rᵀ⟩ = Σ (Qᵀ X) ∘ (M Rᵀ Y), O((n + m)·r·k).</summary>
    private static double FactoredInner(double[] x, double[] y, int k, LowRankCoupling plan)
    {
        var r = plan.Rank;
        var r2 = plan.LatentRank;
        var qx = TransposeTimes(plan.Q.ToArray(), plan.Rows, r, x, k);    // r × k
        var ry = TransposeTimes(plan.R.ToArray(), plan.Cols, r2, y, k);   // r2 × k
        var mry = new double[r * k];
        DenseLinearAlgebra.Multiply(plan.Inner.ToArray(), null, r, r2, ry, k, mry);
        return TensorPrimitives.Dot<double>(qx, mry);
    }

    /// <summary>u_i = a_iᵀ (Σ_k w_k b_k b_kᵀ) a_i = Σ_k (a_i·b_k)² w_k, O(count·r²).</summary>
    private static double[] QuadraticForms(double[] a, double[] b, double[] w, int count, int r)
    {
        var s = new double[r * r];
        for (var k = 0; k < count; k++)
        {
            var bk = b.AsSpan(k * r, r);
            for (var l = 0; l < r; l++)
            {
                TensorPrimitives.MultiplyAdd(bk, w[k] * bk[l], s.AsSpan(l * r, r), s.AsSpan(l * r, r));
            }
        }

        var u = new double[count];
        var tmp = new double[r];
        for (var i = 0; i < count; i++)
        {
            var ai = a.AsSpan(i * r, r);
            for (var l = 0; l < r; l++)
            {
                tmp[l] = TensorPrimitives.Dot<double>(s.AsSpan(l * r, r), ai);
            }

            u[i] = TensorPrimitives.Dot<double>(tmp, ai);
        }

        return u;
    }

    /// <summary>Xᵀ Y for X (rows × kx) and Y (rows × ky), sequential in row order (deterministic).</summary>
    private static double[] TransposeTimes(double[] x, int rows, int kx, double[] y, int ky)
    {
        var dst = new double[kx * ky];
        for (var i = 0; i < rows; i++)
        {
            var yi = y.AsSpan(i * ky, ky);
            var xi = x.AsSpan(i * kx, kx);
            for (var l = 0; l < kx; l++)
            {
                TensorPrimitives.MultiplyAdd(yi, xi[l], dst.AsSpan(l * ky, ky), dst.AsSpan(l * ky, ky));
            }
        }

        return dst;
    }

    private static double[] ToDouble(T[] values) => Convert<T, double>(values);

    private static T[] ToT(double[] values) => Convert<double, T>(values);

    /// <summary>The array itself when the types agree, else an element-wise converted copy.</summary>
    private static TTo[] Convert<TFrom, TTo>(TFrom[] values)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        if (values is TTo[] same)
        {
            return same;
        }

        var result = new TTo[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            result[k] = TTo.CreateTruncating(values[k]);
        }

        return result;
    }

    private void CheckPlan(ReadOnlySpan<T> plan)
    {
        if (plan.Length != (long)Rows * Cols)
        {
            throw new ArgumentException($"The plan has length {plan.Length}; expected {Rows} × {Cols}.", nameof(plan));
        }
    }

    /// <summary>f1(c) = c log(c + 1e-15) − c of the KL loss (POT's guard against log 0).</summary>
    private readonly struct EntropyTerm : IElementwise<T>
    {
        public T Apply(T cost) => (cost * T.Log(cost + T.CreateTruncating(1e-15))) - cost;

        public void Apply(Span<T> costs)
        {
            for (var k = 0; k < costs.Length; k++)
            {
                costs[k] = Apply(costs[k]);
            }
        }
    }

    /// <summary>h2(c) = log(c + 1e-15) of the KL loss.</summary>
    private readonly struct ShiftedLog : IElementwise<T>
    {
        public T Apply(T cost) => T.Log(cost + T.CreateTruncating(1e-15));

        public void Apply(Span<T> costs)
        {
            TensorPrimitives.Add(costs, T.CreateTruncating(1e-15), costs);
            Numerics.DeterministicMath.Log<T>(costs, costs);
        }
    }
}
