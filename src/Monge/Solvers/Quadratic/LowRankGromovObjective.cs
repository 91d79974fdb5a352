using System.Numerics.Tensors;
using Monge.Numerics;
using Monge.Solvers.LowRank;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// The fused Gromov–Wasserstein objective with the square loss, in POT's convention, as a function of a coupling in
/// factored form P = Q Λ Rᵀ (Q: n × r₁, Λ: r₁ × r₂, R: m × r₂):
/// F(P) = (1 − α)⟨M, P⟩ + α·GW(P), GW(P) = ⟨L(C₁, C₂) ⊗ P, P⟩ = pᵀ(C₁∘C₁)p + qᵀ(C₂∘C₂)q − 2⟨C₁ P C₂ᵀ, P⟩ with
/// p = P1, q = Pᵀ1. Its gradient G = ∂F/∂P = (1 − α)M + α[(C₁²+C₁²ᵀ)p 1ᵀ + 1((C₂²+C₂²ᵀ)q)ᵀ − 2(C₁PC₂ᵀ + C₁ᵀPC₂)] is
/// never formed: only G R Λᵀ (∂F/∂Q), Gᵀ Q Λ (∂F/∂R) and Qᵀ G R (∂F/∂Λ), which need C₁Q, C₂R (and their transposes
/// for asymmetric costs), (C₁∘C₁)p, (C₂∘C₂)q, MR and MᵀQ: O((n + m)·r·k + (n + m)·k²) time per evaluation, memory
/// O((n + m)·r). Halmos et al. (NeurIPS 2024), objective_grad: for symmetric costs and fixed marginals this is their
/// ∇Q = −4 C₁ Q Λ (RᵀC₂R) Λᵀ up to terms constant along rows; the marginal terms are kept so that the semi-relaxed and
/// unbalanced problems get the exact gradient.
/// </summary>
internal sealed class LowRankGromovObjective
{
    private readonly IntraCostOperator _c1;
    private readonly IntraCostOperator _c2;
    private readonly CostProducts? _linear;
    private readonly double _alpha;
    private readonly double _uWeight;
    private readonly double _vWeight;
    private readonly int _n;
    private readonly int _m;
    private readonly int _r1;
    private readonly int _r2;

    // State at the last Update.
    private readonly double[] _c1q;
    private readonly double[]? _c1tq;
    private readonly double[] _c2r;
    private readonly double[]? _c2tr;
    private readonly double[]? _mr;
    private readonly double[]? _mtq;
    private readonly double[] _u;
    private readonly double[] _v;
    private readonly double[] _p;
    private readonly double[] _q;
    private readonly double[] _a1;
    private readonly double[] _b2;
    private readonly double[] _qu;
    private readonly double[] _rv;
    private readonly double[] _gq;
    private readonly double[] _gr;
    private readonly double[] _lin;

    // Scratch of the gradients (n × r₁ and m × r₂), allocated on first use and reused.
    private double[] _scratchSource = [];
    private double[] _scratchTarget = [];
    private double[] _lambda = [];
    private double[] _qFactor = [];
    private double[] _rFactor = [];

    /// <param name="c1">C₁.</param>
    /// <param name="c2">C₂.</param>
    /// <param name="linear">M (ignored when α = 1).</param>
    /// <param name="alpha">Fusion weight.</param>
    /// <param name="r1">Rank of Q.</param>
    /// <param name="r2">Rank of R.</param>
    /// <param name="sourceHard">Whether P1 = a is a constraint: then pᵀ(C₁∘C₁)p is constant on the feasible set and its
    /// gradient term (C₁²+C₁²ᵀ)p 1ᵀ is left out of the gradients (not of the value), as the papers do.</param>
    /// <param name="targetHard">Likewise for Pᵀ1 = b.</param>
    public LowRankGromovObjective(IntraCostOperator c1, IntraCostOperator c2, CostProducts? linear, double alpha, int r1, int r2, bool sourceHard = false, bool targetHard = false)
    {
        _uWeight = sourceHard ? 0.0 : 1.0;
        _vWeight = targetHard ? 0.0 : 1.0;
        _c1 = c1;
        _c2 = c2;
        _alpha = alpha;
        _linear = alpha < 1 ? linear : null;
        _n = c1.Size;
        _m = c2.Size;
        _r1 = r1;
        _r2 = r2;
        _c1q = new double[(long)_n * r1];
        _c1tq = c1.IsSymmetric ? null : new double[(long)_n * r1];
        _c2r = new double[(long)_m * r2];
        _c2tr = c2.IsSymmetric ? null : new double[(long)_m * r2];
        if (_linear is not null)
        {
            _mr = new double[(long)_n * r2];
            _mtq = new double[(long)_m * r1];
        }

        _u = new double[_n];
        _v = new double[_m];
        _p = new double[_n];
        _q = new double[_m];
        _a1 = new double[r1 * r1];
        _b2 = new double[r2 * r2];
        _qu = new double[r1];
        _rv = new double[r2];
        _gq = new double[r1];
        _gr = new double[r2];
        _lin = new double[r1 * r2];
    }

    /// <summary>Cost products applied so far (thin-block products with C₁, C₂ or M, and square-loss vector products).</summary>
    public int Products { get; private set; }

    /// <summary>Bytes of the per-iteration state (for the memory statement).</summary>
    public long StateBytes => sizeof(double) * (_c1q.LongLength + (_c1tq?.LongLength ?? 0) + _c2r.LongLength + (_c2tr?.LongLength ?? 0)
        + (_mr?.LongLength ?? 0) + (_mtq?.LongLength ?? 0) + (3L * _n) + (3L * _m));

    /// <summary>The last GW term (scaled units).</summary>
    public double GwValue { get; private set; }

    /// <summary>The last linear term ⟨M, P⟩ (scaled units; 0 without M).</summary>
    public double LinearValue { get; private set; }

    /// <summary>The last objective (1 − α)⟨M, P⟩ + α·GW.</summary>
    public double Value => ((1 - _alpha) * LinearValue) + (_alpha * GwValue);

    /// <summary>Refreshes every product for the factors (Q, Λ, R); afterwards the gradients and the value refer to them.</summary>
    public void Update(double[] q, double[] lambda, double[] r)
    {
        _qFactor = q;
        _rFactor = r;
        _lambda = lambda;
        int n = _n, m = _m, r1 = _r1, r2 = _r2;
        ColumnSums(q, n, r1, _gq);
        ColumnSums(r, m, r2, _gr);

        // p = Q Λ g_R, q = R Λᵀ g_Q.
        var lgr = new double[r1];
        var ltgq = new double[r2];
        Multiply(lambda, r1, r2, _gr, lgr);
        MultiplyTransposed(lambda, r1, r2, _gq, ltgq);
        MatVec(q, n, r1, lgr, _p);
        MatVec(r, m, r2, ltgq, _q);

        _c1.Apply(q, r1, _c1q);
        _c2.Apply(r, r2, _c2r);
        Products += 2;
        if (_c1tq is not null)
        {
            _c1.Apply(q, r1, _c1tq, transpose: true);
            Products++;
        }

        if (_c2tr is not null)
        {
            _c2.Apply(r, r2, _c2tr, transpose: true);
            Products++;
        }

        // u = (C₁² + C₁²ᵀ) p, v = (C₂² + C₂²ᵀ) q.
        SquaredSym(_c1, _p, _u);
        SquaredSym(_c2, _q, _v);
        Products += 2;

        // A₁ = Qᵀ C₁ Q (r₁ × r₁), B₂ = Rᵀ C₂ R (r₂ × r₂).
        DenseLinearAlgebra.MultiplyTransposed(q, null, n, r1, _c1q, r1, _a1);
        DenseLinearAlgebra.MultiplyTransposed(r, null, m, r2, _c2r, r2, _b2);
        if (_linear is not null)
        {
            _linear.Apply(r, r2, _mr!);
            _linear.ApplyTranspose(q, r1, _mtq!);
            Products += 2;
            DenseLinearAlgebra.MultiplyTransposed(q, null, n, r1, _mr!, r2, _lin);
        }

        Values(q, r);
    }

    /// <summary>
    /// Refreshes what depends on Λ only (after a T step at fixed Q, R): the marginals p, q, the square-loss vectors and
    /// the values; the products with C₁, C₂ and M are kept.
    /// </summary>
    public void UpdateLatent(double[] lambda)
    {
        _lambda = lambda;
        var lgr = new double[_r1];
        var ltgq = new double[_r2];
        Multiply(lambda, _r1, _r2, _gr, lgr);
        MultiplyTransposed(lambda, _r1, _r2, _gq, ltgq);
        MatVec(_qFactor, _n, _r1, lgr, _p);
        MatVec(_rFactor, _m, _r2, ltgq, _q);
        SquaredSym(_c1, _p, _u);
        SquaredSym(_c2, _q, _v);
        Products += 2;
        Values(_qFactor, _rFactor);
    }

    private void Values(double[] q, double[] r)
    {
        MatTVec(q, _n, _r1, _u, _qu);
        MatTVec(r, _m, _r2, _v, _rv);

        // GW = ½pᵀu + ½qᵀv − 2⟨A₁ Λ B₂ᵀ, Λ⟩.
        var alb = new double[_r1 * _r2];
        A1LambdaB2T(alb);
        GwValue = (0.5 * TensorPrimitives.Dot<double>(_p, _u)) + (0.5 * TensorPrimitives.Dot<double>(_q, _v)) - (2 * TensorPrimitives.Dot<double>(alb, _lambda));
        LinearValue = _linear is not null ? TensorPrimitives.Dot<double>(_lin, _lambda) : 0;
    }

    /// <summary>dst (n × r₁) = G R Λᵀ = ∂F/∂Q at fixed g_Q.</summary>
    public void GradientSource(double[] dst)
    {
        int n = _n, r1 = _r1, r2 = _r2;
        var lambda = _lambda;

        // −2α [C₁Q (Λ B₂ᵀ Λᵀ) + C₁ᵀQ (Λ B₂ Λᵀ)].
        var x = LambdaSLambdaT(_b2, transposeS: true);
        var lgr = new double[r1];
        var lrv = new double[r1];
        Multiply(lambda, r1, r2, _gr, lgr);
        Multiply(lambda, r1, r2, _rv, lrv);
        var y = LambdaSLambdaT(_b2, transposeS: false);
        if (_c1tq is null)
        {
            // C₁ symmetric: C₁Q (Λ B₂ᵀ Λᵀ + Λ B₂ Λᵀ) in one product.
            TensorPrimitives.Add(x, y, x);
            RowTimes(_c1q, n, r1, x, r1, dst, -2 * _alpha, null);
        }
        else
        {
            RowTimes(_c1q, n, r1, x, r1, dst, -2 * _alpha, null);
            RowTimes(_c1tq, n, r1, y, r1, dst, -2 * _alpha, Scratch(ref _scratchSource, (long)n * r1));
        }

        for (var i = 0; i < n; i++)
        {
            var d = dst.AsSpan(i * r1, r1);
            TensorPrimitives.MultiplyAdd(lgr, _uWeight * _alpha * _u[i], d, d);
            TensorPrimitives.MultiplyAdd(lrv, _vWeight * _alpha, d, d);
        }

        if (_mr is not null)
        {
            // (1 − α) (M R) Λᵀ.
            var tmp = Scratch(ref _scratchSource, (long)n * r1);
            DenseLinearAlgebra.MultiplyByTranspose(_mr, n, r2, lambda, r1, tmp);
            TensorPrimitives.MultiplyAdd(tmp, 1 - _alpha, dst, dst);
        }
    }

    /// <summary>dst (m × r₂) = Gᵀ Q Λ = ∂F/∂R at fixed g_R.</summary>
    public void GradientTarget(double[] dst)
    {
        int m = _m, r1 = _r1, r2 = _r2;
        var lambda = _lambda;

        // −2α [C₂R (Λᵀ A₁ᵀ Λ) + C₂ᵀR (Λᵀ A₁ Λ)].
        var x = LambdaTSLambda(_a1, transposeS: true);
        var y = LambdaTSLambda(_a1, transposeS: false);
        if (_c2tr is null)
        {
            TensorPrimitives.Add(x, y, x);
            RowTimes(_c2r, m, r2, x, r2, dst, -2 * _alpha, null);
        }
        else
        {
            RowTimes(_c2r, m, r2, x, r2, dst, -2 * _alpha, null);
            RowTimes(_c2tr, m, r2, y, r2, dst, -2 * _alpha, Scratch(ref _scratchTarget, (long)m * r2));
        }

        var ltqu = new double[r2];
        var ltgq = new double[r2];
        MultiplyTransposed(lambda, r1, r2, _qu, ltqu);
        MultiplyTransposed(lambda, r1, r2, _gq, ltgq);
        for (var j = 0; j < m; j++)
        {
            var d = dst.AsSpan(j * r2, r2);
            TensorPrimitives.MultiplyAdd(ltqu, _uWeight * _alpha, d, d);
            TensorPrimitives.MultiplyAdd(ltgq, _vWeight * _alpha * _v[j], d, d);
        }

        if (_mtq is not null)
        {
            var tmp = Scratch(ref _scratchTarget, (long)m * r2);
            DenseLinearAlgebra.Multiply(_mtq, null, m, r1, lambda, r2, tmp);
            TensorPrimitives.MultiplyAdd(tmp, 1 - _alpha, dst, dst);
        }
    }

    /// <summary>dst (r₁ × r₂) = Qᵀ G R = ∂F/∂Λ.</summary>
    public void GradientLatent(double[] dst)
    {
        int r1 = _r1, r2 = _r2;
        var lambda = _lambda;

        // −2α (A₁ Λ B₂ᵀ + A₁ᵀ Λ B₂) + α[(Qᵀu) g_Rᵀ + g_Q (Rᵀv)ᵀ] + (1 − α) QᵀMR.
        A1LambdaB2T(dst);
        var other = new double[r1 * r2];
        var a1t = DenseLinearAlgebra.Transpose<double>(_a1, r1, r1);
        SmallProduct(a1t, lambda, _b2, r1, r2, other);
        TensorPrimitives.Add(dst, other, dst);
        TensorPrimitives.Multiply(dst, -2 * _alpha, dst);
        for (var k = 0; k < r1; k++)
        {
            var d = dst.AsSpan(k * r2, r2);
            TensorPrimitives.MultiplyAdd(_gr, _uWeight * _alpha * _qu[k], d, d);
            TensorPrimitives.MultiplyAdd(_rv, _vWeight * _alpha * _gq[k], d, d);
        }

        if (_linear is not null)
        {
            TensorPrimitives.MultiplyAdd(_lin, 1 - _alpha, dst, dst);
        }
    }

    private void A1LambdaB2T(double[] dst)
    {
        // A₁ Λ B₂ᵀ (r₁ × r₂).
        var b2t = DenseLinearAlgebra.Transpose<double>(_b2, _r2, _r2);
        SmallProduct(_a1, _lambda, b2t, _r1, _r2, dst);
    }

    // dst (r1 × r2) = X (r1×r1) · Λ (r1×r2) · Y (r2×r2).
    private static void SmallProduct(double[] x, double[] lambda, double[] y, int r1, int r2, double[] dst)
    {
        var xl = new double[r1 * r2];
        DenseLinearAlgebra.Multiply(x, null, r1, r1, lambda, r2, xl);
        DenseLinearAlgebra.Multiply(xl, null, r1, r2, y, r2, dst);
    }

    // X = Λ Sᵗ Λᵀ (r1 × r1) with S (r2 × r2) or its transpose.
    private double[] LambdaSLambdaT(double[] s, bool transposeS)
    {
        int r1 = _r1, r2 = _r2;
        var st = transposeS ? DenseLinearAlgebra.Transpose<double>(s, r2, r2) : s;
        var ls = new double[r1 * r2];
        DenseLinearAlgebra.Multiply(_lambda, null, r1, r2, st, r2, ls);
        var result = new double[r1 * r1];
        DenseLinearAlgebra.MultiplyByTranspose(ls, r1, r2, _lambda, r1, result);
        return result;
    }

    // Y = Λᵀ Sᵗ Λ (r2 × r2) with S (r1 × r1) or its transpose.
    private double[] LambdaTSLambda(double[] s, bool transposeS)
    {
        int r1 = _r1, r2 = _r2;
        var st = transposeS ? DenseLinearAlgebra.Transpose<double>(s, r1, r1) : s;
        var lt = DenseLinearAlgebra.Transpose<double>(_lambda, r1, r2);
        var lts = new double[r2 * r1];
        DenseLinearAlgebra.Multiply(lt, null, r2, r1, st, r1, lts);
        var result = new double[r2 * r2];
        DenseLinearAlgebra.Multiply(lts, null, r2, r1, _lambda, r2, result);
        return result;
    }

    // dst (rows × c) = scale · X (rows × k) · W (k × c), or += it through the scratch buffer when one is given.
    private static void RowTimes(double[] x, int rows, int k, double[] w, int c, double[] dst, double scale, double[]? accumulateVia)
    {
        var ws = (double[])w.Clone();
        TensorPrimitives.Multiply(ws, scale, ws);
        if (accumulateVia is null)
        {
            DenseLinearAlgebra.Multiply(x, null, rows, k, ws, c, dst);
            return;
        }

        DenseLinearAlgebra.Multiply(x, null, rows, k, ws, c, accumulateVia);
        TensorPrimitives.Add(dst, accumulateVia, dst);
    }

    private static double[] Scratch(ref double[] buffer, long length)
    {
        if (buffer.LongLength < length)
        {
            buffer = new double[length];
        }

        return buffer;
    }

    private static void SquaredSym(IntraCostOperator c, double[] v, double[] dst)
    {
        c.ApplySquared(v, dst);
        if (c.IsSymmetric)
        {
            TensorPrimitives.Multiply(dst, 2.0, dst);
        }
        else
        {
            var t = new double[dst.Length];
            c.ApplySquared(v, t, transpose: true);
            TensorPrimitives.Add(dst, t, dst);
        }
    }

    private static void ColumnSums(double[] x, int rows, int cols, double[] dst)
    {
        Array.Clear(dst);
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Add(dst, x.AsSpan(i * cols, cols), dst);
        }
    }

    // dst (r1) = Λ (r1 × r2) · v (r2).
    private static void Multiply(double[] lambda, int r1, int r2, ReadOnlySpan<double> v, Span<double> dst)
    {
        for (var k = 0; k < r1; k++)
        {
            dst[k] = TensorPrimitives.Dot(lambda.AsSpan(k * r2, r2), v);
        }
    }

    // dst (r2) = Λᵀ v (v: r1).
    private static void MultiplyTransposed(double[] lambda, int r1, int r2, ReadOnlySpan<double> v, Span<double> dst)
    {
        dst.Clear();
        for (var k = 0; k < r1; k++)
        {
            TensorPrimitives.MultiplyAdd(lambda.AsSpan(k * r2, r2), v[k], dst, dst);
        }
    }

    // dst (rows) = X (rows × c) · w (c).
    private static void MatVec(double[] x, int rows, int c, double[] w, double[] dst)
    {
        for (var i = 0; i < rows; i++)
        {
            dst[i] = TensorPrimitives.Dot<double>(x.AsSpan(i * c, c), w);
        }
    }

    // dst (c) = Xᵀ (c × rows) · w (rows).
    private static void MatTVec(double[] x, int rows, int c, double[] w, double[] dst)
    {
        Array.Clear(dst);
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.MultiplyAdd(x.AsSpan(i * c, c), w[i], dst, dst);
        }
    }
}
