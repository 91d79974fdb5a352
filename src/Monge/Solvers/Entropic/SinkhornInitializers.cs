using System.Numerics;
using Monge.Gaussian;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Numerics;
using Monge.Problems;

namespace Monge.Solvers.Entropic;

/// <summary>Potential initializers for Sinkhorn (Thornton and Cuturi 2022, "Rethinking initialization of the Sinkhorn algorithm").</summary>
internal static class SinkhornInitializers
{
    /// <summary>
    /// Solves the problem on a seeded subsample of both clouds at ε_s = <paramref name="epsilonMultiplier"/>·ε (with
    /// ε-scaling ×100, decay 0.9, to the solver's threshold), then extends the subsample's target potential to every
    /// source point with one soft-min at ε_s (the entropic c-transform, as OTT-JAX's <c>DualPotentials.f</c>):
    /// f_i = τ_a·(ε·ℓ^t_a + softmin_ε_s,j∈S(g_S)). Cost: the subsample solve plus O(n·k·d).
    /// </summary>
    /// <returns>
    /// Whether f was set (false: the geometry has no points (<see cref="IPointCloudGeometry{T}"/>), the subsample is the
    /// whole problem, or the start was not finite; the documented fallback is the zero start).
    /// </returns>
    public static bool Subsample<T>(Sinkhorn options, LinearProblem<T> problem, SinkhornState<T> state, double epsilonMultiplier, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (problem.Geometry is not IPointCloudGeometry<T> pc)
        {
            return false;
        }

        var n = problem.Geometry.Rows;
        var m = problem.Geometry.Cols;
        var k = options.SubsampleSize;
        if (k >= n && k >= m)
        {
            return false;
        }

        var rng = new Random(options.Seed);
        var rowsIdx = Sample(rng, n, Math.Min(k, n));
        var colsIdx = Sample(rng, m, Math.Min(k, m));
        var xs = pc.Source.Subset(rowsIdx);
        var ys = pc.Target.Subset(colsIdx);
        var aSub = VoronoiWeights(pc.Source, rowsIdx, problem.A, problem.MassA);
        var bSub = VoronoiWeights(pc.Target, colsIdx, problem.B, problem.MassB);
        var cost = pc.CostFunction;
        var subGeometry = new PointCloudGeometry<T>(xs, ys, cost, pc.ScaleFactor);
        var subProblem = new LinearProblem<T>(subGeometry, aSub, bSub, problem.Relaxation);
        var subEpsilon = epsilonMultiplier * state.Epsilon;
        var subOptions = options with
        {
            Epsilon = subEpsilon,
            EpsilonRelativeTo = EpsilonReference.Absolute,
            EpsilonScaling = new EpsilonScaling(100, 0.9),
            Initializer = SinkhornInitializer.Zero,
            AndersonMemory = 0,
            Momentum = 1,
            MinIterations = 0,
        };
        var sub = subOptions.Solve(subProblem, null, cancellationToken);

        // Extend g_S to all source points: f on (x, y_S), at the subsample's ε.
        var extend = new PointCloudGeometry<T>(pc.Source, ys, cost, pc.ScaleFactor);
        var kernelLogB = options.Convention == EntropyConvention.KullbackLeibler ? SinkhornState<T>.LogWeights(bSub) : [];
        var eps = T.CreateTruncating(state.Epsilon);
        var soft = new T[n];
        extend.SoftMin(sub.G, kernelLogB, T.CreateTruncating(subEpsilon), Axis.Rows, soft);
        var tau = T.CreateTruncating(problem.Relaxation.TauA(state.Epsilon));
        for (var i = 0; i < soft.Length; i++)
        {
            var lt = state.TargetLogA.Length == 0 ? T.Zero : eps * state.TargetLogA[i];
            state.F[i] = tau * (lt + soft[i]);
        }

        if (!Array.TrueForAll(state.F, T.IsFinite))
        {
            Array.Clear(state.F);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Gaussian initializer (OTT-JAX <c>GaussianInitializer</c>): fit N(m₀, Σ₀) to the weighted source and N(m₁, Σ₁) to the
    /// weighted target, take the closed-form Monge map T(x) = m₁ + A(x − m₀) = ∇φ(x) and set f(x) = s·(|x|² − 2φ(x)), the
    /// Brenier potential for the cost s·|x − y|² (centered at m₀, shifted to zero a-weighted mean). Time O((n + m)·d² + d³),
    /// memory O(d²) beyond f.
    /// </summary>
    public static void Gaussian<T>(LinearProblem<T> problem, SinkhornState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (problem.Geometry is not IPointCloudGeometry<T> pc || !CostFunction.IsSquaredEuclidean(pc.CostFunction))
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"The Gaussian initializer needs a point-cloud geometry with the squared Euclidean cost (got {Describe(problem.Geometry)}); use SinkhornInitializer.Zero or Subsample.",
                nameof(problem));
        }

        var d = pc.Source.Dimension;
        var a = Normalized(problem.A);
        var b = Normalized(problem.B);
        var (m0, s0) = Moments(pc.Source, a);
        var (m1, s1) = Moments(pc.Target, b);

        // A tiny common ridge keeps degenerate fits (n ≤ d, points on a line) positive definite; if both clouds are single
        // points every f is optimal, so keep f = 0.
        var trace = 0.0;
        for (var k = 0; k < d; k++)
        {
            trace = Math.Max(trace, Math.Max(s0[(k * d) + k], s1[(k * d) + k]));
        }

        if (!(trace > 0) || !double.IsFinite(trace))
        {
            return;
        }

        var ridge = 1e-9 * trace;
        for (var k = 0; k < d; k++)
        {
            s0[(k * d) + k] += ridge;
            s1[(k * d) + k] += ridge;
        }

        var map = GaussianTransport.MongeMap(new GaussianMeasure(m0, s0), new GaussianMeasure(m1, s1));
        var matrix = map.Matrix;
        var scale = double.CreateTruncating(pc.ScaleFactor);
        var u = new double[d];
        var au = new double[d];
        var f = new double[pc.Source.Count];
        for (var i = 0; i < f.Length; i++)
        {
            // With u = x − m₀: |x|² − 2φ(x) = |u|² − uᵀAu + 2(m₀ − m₁)ᵀu + const.
            var row = pc.Source.Row(i);
            for (var k = 0; k < d; k++)
            {
                u[k] = double.CreateTruncating(row[k]) - m0[k];
            }

            DenseLinearAlgebra.Apply(matrix, d, u, au);
            double value = 0;
            for (var k = 0; k < d; k++)
            {
                value += (u[k] * (u[k] - au[k])) + (2 * (m0[k] - m1[k]) * u[k]);
            }

            f[i] = scale * value;
        }

        Store(f, a, state);
    }

    /// <summary>
    /// Sorting initializer for 1-D point clouds: sorts both clouds, runs the north-west corner rule on the normalized
    /// weights (the monotone coupling, optimal when the cost is a convex function of x − y) and reads exact dual potentials
    /// off its staircase support (f_i + g_j = C_ij on every visited cell; each step fixes one new potential). Time
    /// O(n log n + m log m) with n + m − 1 cost evaluations, memory O(n + m).
    /// </summary>
    public static void Sorting<T>(LinearProblem<T> problem, SinkhornState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (problem.Geometry is not IPointCloudGeometry<T> { Source.Dimension: 1 } pc)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"The sorting initializer needs a one-dimensional point-cloud geometry (got {Describe(problem.Geometry)}); use SinkhornInitializer.Zero, Gaussian or Subsample.",
                nameof(problem));
        }

        var (f, _) = MonotoneDual(problem.Geometry, pc, Normalized(problem.A), Normalized(problem.B));
        Store(f, Normalized(problem.A), state);
    }

    /// <summary>
    /// Dual potentials (f, g) of the north-west corner (monotone) coupling of two 1-D clouds with unit-mass weights: f_i + g_j
    /// equals the cost on the coupling's staircase support. Exposed for tests (dual feasibility and strong duality).
    /// </summary>
    internal static (double[] F, double[] G) MonotoneDual<T>(PointCloudGeometry<T> pc, double[] a, double[] b)
        where T : unmanaged, IFloatingPointIeee754<T>
        => MonotoneDual(pc, pc, a, b);

    /// <summary>
    /// <see cref="MonotoneDual{T}(PointCloudGeometry{T}, double[], double[])"/> for any geometry with points: the costs are
    /// read from <paramref name="geometry"/>, the sort order from the points of <paramref name="pc"/> (the same geometry).
    /// </summary>
    internal static (double[] F, double[] G) MonotoneDual<T>(CostGeometry<T> geometry, IPointCloudGeometry<T> pc, double[] a, double[] b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = pc.Source.Count;
        var m = pc.Target.Count;
        var si = SortedOrder(pc.Source);
        var sj = SortedOrder(pc.Target);
        var f = new double[n];
        var g = new double[m];
        double Cost(int i, int j) => double.CreateTruncating(geometry.Cost(si[i], sj[j]));
        int p = 0, q = 0;
        g[sj[0]] = Cost(0, 0);
        var ra = a[si[0]];
        var rb = b[sj[0]];
        while (p < n - 1 || q < m - 1)
        {
            // Advance the row when it is exhausted first (ties advance the row: a degenerate zero-mass cell keeps the
            // support a spanning tree, so every potential is determined).
            if (q == m - 1 || (p < n - 1 && ra <= rb))
            {
                rb -= ra;
                p++;
                ra = a[si[p]];
                f[si[p]] = Cost(p, q) - g[sj[q]];
            }
            else
            {
                ra -= rb;
                q++;
                rb = b[sj[q]];
                g[sj[q]] = Cost(p, q) - f[si[p]];
            }
        }

        return (f, g);
    }

    private static int[] SortedOrder<T>(PointCloud<T> cloud)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var keys = new double[cloud.Count];
        var order = new int[cloud.Count];
        var data = cloud.Data;
        for (var i = 0; i < order.Length; i++)
        {
            keys[i] = double.CreateTruncating(data[i]);
            order[i] = i;
        }

        // Ties broken by index: deterministic.
        Array.Sort(order, (p, q) =>
        {
            var c = keys[p].CompareTo(keys[q]);
            return c != 0 ? c : p.CompareTo(q);
        });
        return order;
    }

    /// <summary>Writes f − Σ a_i f_i into the state (plus ε·log a_i under the plain-entropy convention); keeps f = 0 if anything is not finite.</summary>
    private static void Store<T>(double[] f, double[] a, SinkhornState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double mean = 0;
        for (var i = 0; i < f.Length; i++)
        {
            mean += a[i] * f[i];
        }

        var eps = state.Epsilon;
        for (var i = 0; i < f.Length; i++)
        {
            var lt = state.TargetLogA.Length == 0 ? 0 : eps * double.CreateTruncating(state.TargetLogA[i]);
            state.F[i] = T.CreateTruncating(f[i] - mean + lt);
        }

        if (!Array.TrueForAll(state.F, T.IsFinite))
        {
            Array.Clear(state.F);
        }
    }

    private static (double[] Mean, double[] Covariance) Moments<T>(PointCloud<T> cloud, double[] w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = cloud.Dimension;
        var mean = new double[d];
        for (var i = 0; i < cloud.Count; i++)
        {
            var row = cloud.Row(i);
            for (var k = 0; k < d; k++)
            {
                mean[k] += w[i] * double.CreateTruncating(row[k]);
            }
        }

        var cov = new double[d * d];
        var c = new double[d];
        for (var i = 0; i < cloud.Count; i++)
        {
            var row = cloud.Row(i);
            for (var k = 0; k < d; k++)
            {
                c[k] = double.CreateTruncating(row[k]) - mean[k];
            }

            for (var k = 0; k < d; k++)
            {
                var wk = w[i] * c[k];
                for (var l = k; l < d; l++)
                {
                    cov[(k * d) + l] += wk * c[l];
                }
            }
        }

        for (var k = 0; k < d; k++)
        {
            for (var l = 0; l < k; l++)
            {
                cov[(k * d) + l] = cov[(l * d) + k];
            }
        }

        return (mean, cov);
    }

    private static double[] Normalized<T>(ReadOnlySpan<T> w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new double[w.Length];
        double total = 0;
        for (var i = 0; i < w.Length; i++)
        {
            result[i] = double.CreateTruncating(w[i]);
            total += result[i];
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] /= total;
        }

        return result;
    }

    private static string Describe<T>(CostGeometry<T> geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
        => geometry is IPointCloudGeometry<T> pc
            ? $"a point cloud of dimension {pc.Source.Dimension} with cost {pc.CostFunction.GetType().Name}"
            : geometry.GetType().Name;

    private static int[] Sample(Random rng, int n, int k)
    {
        var all = new int[n];
        for (var i = 0; i < n; i++)
        {
            all[i] = i;
        }

        rng.Shuffle(all);
        var result = all[..k];
        Array.Sort(result);
        return result;
    }

    /// <summary>
    /// Quantizes a weighted cloud onto the sampled points: each point's weight goes to its nearest sampled point (squared
    /// Euclidean distance in coordinates, ties to the lower index), so every region keeps its full-data mass. Time
    /// O(n·k·d) (rows in parallel, sums in index order: deterministic), memory O(n).
    /// </summary>
    internal static T[] VoronoiWeights<T>(PointCloud<T> cloud, int[] centers, ReadOnlySpan<T> w, double mass)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = cloud.Dimension;
        var k = centers.Length;
        var c = new double[k * d];
        for (var q = 0; q < k; q++)
        {
            var row = cloud.Row(centers[q]);
            for (var l = 0; l < d; l++)
            {
                c[(q * d) + l] = double.CreateTruncating(row[l]);
            }
        }

        var owner = new int[cloud.Count];
        Parallel.For(0, (cloud.Count + 255) / 256, chunk =>
        {
            var x = new double[d];
            var end = Math.Min(cloud.Count, (chunk + 1) * 256);
            for (var i = chunk * 256; i < end; i++)
            {
                var row = cloud.Row(i);
                for (var l = 0; l < d; l++)
                {
                    x[l] = double.CreateTruncating(row[l]);
                }

                var best = 0;
                var bestD = double.PositiveInfinity;
                for (var q = 0; q < k; q++)
                {
                    double dist = 0;
                    for (var l = 0; l < d; l++)
                    {
                        var diff = x[l] - c[(q * d) + l];
                        dist += diff * diff;
                    }

                    if (dist < bestD)
                    {
                        bestD = dist;
                        best = q;
                    }
                }

                owner[i] = best;
            }
        });

        var sums = new double[k];
        double total = 0;
        for (var i = 0; i < owner.Length; i++)
        {
            var wi = double.CreateTruncating(w[i]);
            sums[owner[i]] += wi;
            total += wi;
        }

        var result = new T[k];
        for (var q = 0; q < k; q++)
        {
            result[q] = total > 0 ? T.CreateTruncating(sums[q] * mass / total) : T.CreateTruncating(mass / k);
        }

        return result;
    }
}
