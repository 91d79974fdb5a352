using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;

namespace Monge.Tools.Sorting;

/// <summary>
/// The entropic transport behind every soft sorting operator: squashed inputs s_i = sigmoid((z_i − μ)/σ) with weights a
/// to targets y_j = j/(m − 1) with weights b, squared cost, log-domain Sinkhorn; and the implicit differentiation of its
/// fixed point. Time O(n·m) per Sinkhorn iteration and per conjugate-gradient iteration; memory O(n + m), plus the n×m
/// plan when it has at most <see cref="SoftSortOptions.DensePlanLimit"/> entries (it is then cached for the vector-Jacobian products).
/// </summary>
internal sealed class SoftSortTransport
{
    private readonly double[] _s;
    private readonly double[] _u;
    private readonly double _sigma;
    private readonly double[] _y;
    private readonly double[] _rowMass;
    private readonly double[] _colMass;
    private readonly SinkhornResult<double> _result;
    private readonly SoftSortOptions _options;
    private double[]? _dense;

    private SoftSortTransport(double[] a, double[] b, double[] s, double[] u, double sigma, double[] y, SinkhornResult<double> result, SoftSortOptions options)
    {
        A = a;
        B = b;
        _s = s;
        _u = u;
        _sigma = sigma;
        _y = y;
        _result = result;
        _options = options;
        _rowMass = result.SourceMarginal;
        _colMass = result.TargetMarginal;
    }

    /// <summary>The normalized input weights a.</summary>
    public double[] A { get; }

    /// <summary>The target weights b (sum one).</summary>
    public double[] B { get; }

    public int N => A.Length;

    public int M => B.Length;

    public Convergence Convergence => _result.Convergence;

    public double Epsilon => _result.Epsilon;

    /// <summary>Squashes, builds the 1-D problem and runs Sinkhorn.</summary>
    /// <param name="values">The inputs z (validated by the caller: finite, non-empty).</param>
    /// <param name="a">Normalized positive input weights.</param>
    /// <param name="b">Positive target weights summing to one.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="cancellationToken">Stops Sinkhorn.</param>
    public static SoftSortTransport Solve(ReadOnlySpan<double> values, double[] a, double[] b, SoftSortOptions options, CancellationToken cancellationToken)
    {
        var n = values.Length;
        var m = b.Length;
        double mean = 0;
        for (var i = 0; i < n; i++)
        {
            mean += a[i] * values[i];
        }

        double variance = 0;
        for (var i = 0; i < n; i++)
        {
            var d = values[i] - mean;
            variance += a[i] * d * d;
        }

        // A zero spread (all inputs equal) has no scale: use σ = 1, every input squashes to ½.
        var sigma = variance > 0 ? Math.Sqrt(variance) : 1.0;
        var u = new double[n];
        var s = new double[n];
        for (var i = 0; i < n; i++)
        {
            u[i] = (values[i] - mean) / sigma;
            s[i] = 1.0 / (1.0 + Math.Exp(-u[i]));
        }

        var y = new double[m];
        for (var j = 0; j < m; j++)
        {
            y[j] = m == 1 ? 0.5 : (double)j / (m - 1);
        }

        var x = new PointCloud<double>((double[])s.Clone(), n, 1, a);
        var target = new PointCloud<double>(y, m, 1, b);
        var problem = LinearProblem<double>.FromPointClouds(x, target);
        var solver = options.Solver with { Epsilon = options.Epsilon, EpsilonRelativeTo = EpsilonReference.Absolute };
        var result = solver.Solve(problem, cancellationToken: cancellationToken);
        return new SoftSortTransport(a, b, s, u, sigma, (double[])y.Clone(), result, options);
    }

    /// <summary>P·V for a row-major m×k block (result n×k).</summary>
    public double[] ApplyRows(double[] block, int k)
    {
        var dense = Dense();
        if (dense is null)
        {
            return _result.ApplyPlan(block, k, Axis.Rows);
        }

        var n = N;
        var m = M;
        var result = new double[n * k];
        for (var i = 0; i < n; i++)
        {
            var row = dense.AsSpan(i * m, m);
            for (var j = 0; j < m; j++)
            {
                var p = row[j];
                for (var q = 0; q < k; q++)
                {
                    result[(i * k) + q] += p * block[(j * k) + q];
                }
            }
        }

        return result;
    }

    /// <summary>Pᵀ·U for a row-major n×k block (result m×k).</summary>
    public double[] ApplyColumns(double[] block, int k)
    {
        var dense = Dense();
        if (dense is null)
        {
            return _result.ApplyPlan(block, k, Axis.Columns);
        }

        var n = N;
        var m = M;
        var result = new double[m * k];
        for (var i = 0; i < n; i++)
        {
            var row = dense.AsSpan(i * m, m);
            for (var j = 0; j < m; j++)
            {
                var p = row[j];
                for (var q = 0; q < k; q++)
                {
                    result[(j * k) + q] += p * block[(i * k) + q];
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The gradient with respect to the raw inputs z of L = Σ_ij α_i β_j P_ij, through the plan only (implicit
    /// differentiation of the balanced Sinkhorn fixed point; Cuturi et al. 2019 and OTT-JAX's implicit mode).
    /// </summary>
    /// <remarks>
    /// With P_ij = a_i b_j exp((f_i + g_j − C_ij)/ε) and the marginal constraints, dL/dC_ij = P_ij(λ_i + μ_j − α_iβ_j)/ε,
    /// where (λ, μ) solves [[diag(r), P], [Pᵀ, diag(c)]]·(λ, μ) = (α∘Pβ, β∘Pᵀα) (r, c the plan's marginals). The system is
    /// singular along (1, −1) and consistent; μ solves the Schur complement (diag(c) − Pᵀ diag(r)⁻¹ P)·μ = β∘Pᵀα − Pᵀ(α∘Pβ/r)
    /// by conjugate gradients on the complement of the constant vector, λ = (α∘Pβ − Pμ)/r. Then C_ij = (s_i − y_j)², the
    /// sigmoid and the weighted standardization are differentiated in closed form. Two plan products per CG iteration.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The conjugate-gradient solve did not reach the tolerance.</exception>
    public double[] PlanGradient(double[] alpha, double[] beta)
    {
        var n = N;
        var m = M;
        var pBeta = ApplyRows(beta, 1);
        var pTAlpha = ApplyColumns(alpha, 1);
        var uVec = new double[n];
        for (var i = 0; i < n; i++)
        {
            uVec[i] = alpha[i] * pBeta[i];
        }

        var rhs = new double[m];
        var scaled = new double[n];
        for (var i = 0; i < n; i++)
        {
            scaled[i] = uVec[i] / _rowMass[i];
        }

        var pTScaled = ApplyColumns(scaled, 1);
        for (var j = 0; j < m; j++)
        {
            rhs[j] = (beta[j] * pTAlpha[j]) - pTScaled[j];
        }

        var mu = SolveSchur(rhs);

        // One pass for P·[y, μ, y∘μ, β, y∘β].
        const int k = 5;
        var block = new double[m * k];
        for (var j = 0; j < m; j++)
        {
            block[(j * k) + 0] = _y[j];
            block[(j * k) + 1] = mu[j];
            block[(j * k) + 2] = _y[j] * mu[j];
            block[(j * k) + 3] = beta[j];
            block[(j * k) + 4] = _y[j] * beta[j];
        }

        var prod = ApplyRows(block, k);
        var eps = Epsilon;
        var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            var si = _s[i];
            var py = prod[(i * k) + 0];
            var pMu = prod[(i * k) + 1];
            var pYMu = prod[(i * k) + 2];
            var pB = prod[(i * k) + 3];
            var pYB = prod[(i * k) + 4];
            var lambda = (uVec[i] - pMu) / _rowMass[i];

            // dL/ds_i = (2/ε) Σ_j P_ij (s_i − y_j)(λ_i + μ_j − α_i β_j).
            var gradS = (2.0 / eps) * ((lambda * ((si * _rowMass[i]) - py)) + (si * pMu) - pYMu - (alpha[i] * ((si * pB) - pYB)));
            w[i] = gradS * si * (1.0 - si);
        }

        return ThroughStandardization(w);
    }

    /// <summary>Chain rule through u_i = (z_i − μ)/σ with the a-weighted mean and standard deviation.</summary>
    private double[] ThroughStandardization(double[] w)
    {
        var n = N;
        double sumW = 0, sumWu = 0;
        for (var i = 0; i < n; i++)
        {
            sumW += w[i];
            sumWu += w[i] * _u[i];
        }

        var grad = new double[n];
        for (var i = 0; i < n; i++)
        {
            grad[i] = (w[i] - (A[i] * sumW) - (_u[i] * A[i] * sumWu)) / _sigma;
        }

        return grad;
    }

    /// <summary>Conjugate gradients on S = diag(c) − Pᵀ diag(r)⁻¹ P (symmetric, positive semi-definite, kernel = constants).</summary>
    private double[] SolveSchur(double[] rhs)
    {
        var m = M;
        var x = new double[m];
        var r = (double[])rhs.Clone();
        Center(r);
        var rhsNorm = Math.Sqrt(Dot(r, r));
        if (rhsNorm == 0 || m == 1)
        {
            return x;
        }

        var p = (double[])r.Clone();
        var rr = Dot(r, r);
        var tol = _options.GradientTolerance * rhsNorm;
        for (var iteration = 0; iteration < _options.GradientMaxIterations; iteration++)
        {
            var sp = ApplySchur(p);
            var curvature = Dot(p, sp);
            if (!(curvature > 0))
            {
                break;
            }

            var step = rr / curvature;
            for (var j = 0; j < m; j++)
            {
                x[j] += step * p[j];
                r[j] -= step * sp[j];
            }

            Center(r);
            var rrNew = Dot(r, r);
            if (Math.Sqrt(rrNew) <= tol)
            {
                return x;
            }

            var beta = rrNew / rr;
            rr = rrNew;
            for (var j = 0; j < m; j++)
            {
                p[j] = r[j] + (beta * p[j]);
            }
        }

        // Recompute the true residual before giving up: the recursive one drifts.
        var trueResidual = ApplySchur(x);
        for (var j = 0; j < m; j++)
        {
            trueResidual[j] = rhs[j] - trueResidual[j];
        }

        Center(trueResidual);
        var relative = Math.Sqrt(Dot(trueResidual, trueResidual)) / rhsNorm;
        if (relative <= Math.Max(_options.GradientTolerance, 1e-8))
        {
            return x;
        }

        throw new InvalidOperationException(
            $"The vector-Jacobian product's conjugate-gradient solve stopped at relative residual {relative:G3} (tolerance {_options.GradientTolerance:G3}, " +
            $"{_options.GradientMaxIterations} iterations); raise SoftSortOptions.GradientMaxIterations or ε (now {Epsilon:G3}), or tighten the Sinkhorn threshold.");
    }

    private double[] ApplySchur(double[] v)
    {
        var n = N;
        var m = M;
        var pv = ApplyRows(v, 1);
        for (var i = 0; i < n; i++)
        {
            pv[i] /= _rowMass[i];
        }

        var result = ApplyColumns(pv, 1);
        for (var j = 0; j < m; j++)
        {
            result[j] = (_colMass[j] * v[j]) - result[j];
        }

        return result;
    }

    private static void Center(double[] v)
    {
        double mean = 0;
        foreach (var t in v)
        {
            mean += t;
        }

        mean /= v.Length;
        for (var j = 0; j < v.Length; j++)
        {
            v[j] -= mean;
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var j = 0; j < a.Length; j++)
        {
            sum += a[j] * b[j];
        }

        return sum;
    }

    private double[]? Dense()
    {
        if (_dense is null && (long)N * M <= _options.DensePlanLimit)
        {
            Interlocked.CompareExchange(ref _dense, _result.ToDense(_options.DensePlanLimit), null);
        }

        return _dense;
    }
}
