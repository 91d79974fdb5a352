using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.LowRank;

namespace Monge.Solvers.Quadratic;

/// <summary>Steps shared by the low-rank Gromov–Wasserstein solvers (initialisation, gradient corrections, results).</summary>
internal static class LowRankGromovCore
{
    /// <summary>Window of the objective-stall test.</summary>
    internal const int StallWindow = 10;

    /// <summary>
    /// The FRLC random initialisation (reference util.initialize_couplings 'Full' followed by stabilize_Q_init): uniform
    /// random log-kernels projected on Π(a, 1/r), Π(b, 1/r₂) and Π(g_Q, g_R) at ε = 1/γ, then mixed with the independent
    /// coupling.
    /// </summary>
    public static (double[] Q, double[] R, double[] T) Random(int seed, double gamma, double mixing, int iterations, double[] a, double[] b, int r1, int r2)
    {
        var n = a.Length;
        var m = b.Length;
        var rng = new Random(seed);
        var g1 = Marginals.Uniform<double>(r1);
        var g2 = Marginals.Uniform<double>(r2);
        var hard = new EntropicProjection.Settings(1, 1, iterations, 1e-12);
        var eps = 1.0 / gamma;
        var lq = LowRankInitializer.Uniform(rng, (long)n * r1);
        TensorPrimitives.Multiply(lq, -gamma, lq);
        var q = new double[lq.Length];
        EntropicProjection.Run(lq, q, n, r1, a, g1, eps, hard, new double[n], new double[r1]);
        var lr = LowRankInitializer.Uniform(rng, (long)m * r2);
        TensorPrimitives.Multiply(lr, -gamma, lr);
        var r = new double[lr.Length];
        EntropicProjection.Run(lr, r, m, r2, b, g2, eps, hard, new double[m], new double[r2]);
        var gq = DenseLinearAlgebra.ColumnSums(q, n, r1);
        var gr = DenseLinearAlgebra.ColumnSums(r, m, r2);
        var lt = LowRankInitializer.Uniform(rng, (long)r1 * r2);
        TensorPrimitives.Multiply(lt, -gamma, lt);
        var t = new double[lt.Length];
        EntropicProjection.Run(lt, t, r1, r2, gq, gr, eps, hard, new double[r1], new double[r2]);
        LowRankInitializer.MixWithIndependent(q, n, r1, mixing);
        LowRankInitializer.MixWithIndependent(r, m, r2, mixing);
        LowRankInitializer.MixWithIndependent(t, r1, r2, mixing);
        return (q, r, t);
    }

    /// <summary>
    /// Initialisation from the geometry: k-means (k-means++ seeding, Lloyd) of each point cloud into r₁ and r₂ clusters;
    /// Q and R are the soft assignments (log-kernel −‖x − c‖²/ε with ε the mean squared distance of a point to its nearest
    /// centroid, floored at −<see cref="AssignmentLogFloor"/>, projected on Π(a, 1/r₁) and Π(b, 1/r₂)); T is the best
    /// (lowest objective) of 1 + <paramref name="starts"/> conditional-gradient fused GW solves between the clusters, on the
    /// costs averaged over pairs of clusters (C̄₁ = QᵀC₁Q ⊘ g_Q g_Qᵀ, C̄₂ likewise, M̄ = QᵀMR ⊘ g_Q g_Rᵀ), started from the
    /// independent coupling and from north-west-corner vertices of random orders, then mixed with the independent coupling
    /// by <paramref name="mixing"/>. Time O((n + m)·r·(d + k) · Lloyd iterations) plus O(starts · r³ · CG steps); it starts
    /// the mirror descent next to a matching of the clusters instead of at the independent coupling (a stationary point
    /// of low-rank GW), so far fewer outer iterations are needed.
    /// </summary>
    /// <exception cref="InputValidationException">An intra-space cost that is not a point cloud's cost with itself.</exception>
    public static (double[] Q, double[] R, double[] T) Clustered(LowRankGromovSetup setup, int seed, int r1, int r2, int starts, double mixing, int iterations)
    {
        var xs = setup.SourcePoints ?? throw new InputValidationException(InputProblem.InvalidParameter, "The k-means initialisation needs the source intra-space cost of a point cloud (GromovGeometry, PointCloudGeometry); use LowRankInitialization.Random for other costs.", nameof(setup));
        var ys = setup.TargetPoints ?? throw new InputValidationException(InputProblem.InvalidParameter, "The k-means initialisation needs the target intra-space cost of a point cloud; use LowRankInitialization.Random for other costs.", nameof(setup));
        int n = setup.Rows, m = setup.Cols;
        var rng = new Random(seed);
        var g1 = Marginals.Uniform<double>(r1);
        var g2 = Marginals.Uniform<double>(r2);
        var q = Assignment(xs, setup.A, g1, rng, iterations);
        var r = Assignment(ys, setup.B, g2, rng, iterations);
        var c1 = ClusterCost(setup.Source, q, n, r1);
        var c2 = ClusterCost(setup.Target, r, m, r2);
        CostGeometry<double>? linear = null;
        if (setup.Linear is not null && setup.Alpha < 1)
        {
            var mr = new double[(long)n * r2];
            setup.Linear.Apply(r, r2, mr);
            var mbar = new double[r1 * r2];
            DenseLinearAlgebra.MultiplyTransposed(q, null, n, r1, mr, r2, mbar);
            Average(mbar, DenseLinearAlgebra.ColumnSums(q, n, r1), DenseLinearAlgebra.ColumnSums(r, m, r2));
            linear = new DenseGeometry<double>(mbar, r1, r2);
        }

        var problem = new QuadraticProblem<double>(new DenseGeometry<double>(c1, r1, r1), new DenseGeometry<double>(c2, r2, r2), g1, g2, linearGeometry: linear, alpha: linear is null ? null : setup.Alpha);
        var solver = new GromovWasserstein { MaxIterations = 200 };
        double[]? best = null;
        var bestValue = double.PositiveInfinity;
        for (var s = 0; s <= starts; s++)
        {
            var result = solver.Solve(problem, s == 0 ? null : NorthWestVertex(g1, g2, rng));
            if (result.Cost < bestValue)
            {
                bestValue = result.Cost;
                best = result.Plan.ToArray();
            }
        }

        var t = best!;
        LowRankInitializer.MixWithIndependent(t, r1, r2, mixing);
        return (q, r, t);
    }

    /// <summary>Floor of the assignment log-kernel (keeps every entry of Q and R positive, so their logs are finite).</summary>
    internal const double AssignmentLogFloor = 30;

    private static double[] Assignment(PointCloud<double> points, double[] marginal, double[] g, Random rng, int iterations)
    {
        int n = points.Count, d = points.Dimension, r = g.Length;
        var x = points.Data.ToArray();
        var centroids = KMeans.Centroids(x, n, d, r, rng);
        var logKernel = KMeans.SquaredDistances(x, n, centroids, r, d);
        var eps = 0.0;
        for (var i = 0; i < n; i++)
        {
            eps += TensorPrimitives.Min<double>(logKernel.AsSpan(i * r, r));
        }

        eps /= n;
        if (!(eps > 0) || !double.IsFinite(eps))
        {
            eps = 1;
        }

        TensorPrimitives.Multiply(logKernel, -1 / eps, logKernel);
        TensorPrimitives.Max(logKernel, -AssignmentLogFloor, logKernel);
        var factor = new double[(long)n * r];
        EntropicProjection.Run(logKernel, factor, n, r, marginal, g, 1.0, new EntropicProjection.Settings(1, 1, iterations, 1e-12), new double[n], new double[r]);
        return factor;
    }

    // C̄ = Xᵀ C X ⊘ g gᵀ (r × r): the cost averaged over pairs of clusters.
    private static double[] ClusterCost(IntraCostOperator cost, double[] x, int rows, int r)
    {
        var cx = new double[(long)rows * r];
        cost.Apply(x, r, cx);
        var bar = new double[r * r];
        DenseLinearAlgebra.MultiplyTransposed(x, null, rows, r, cx, r, bar);
        var g = DenseLinearAlgebra.ColumnSums(x, rows, r);
        Average(bar, g, g);
        return bar;
    }

    private static void Average(double[] bar, double[] gRows, double[] gCols)
    {
        for (var k = 0; k < gRows.Length; k++)
        {
            for (var l = 0; l < gCols.Length; l++)
            {
                var mass = gRows[k] * gCols[l];
                bar[(k * gCols.Length) + l] = mass > 0 ? bar[(k * gCols.Length) + l] / mass : 0.0;
            }
        }
    }

    /// <summary>The north-west-corner vertex of Π(a, b) for random orders of the rows and columns.</summary>
    private static double[] NorthWestVertex(double[] a, double[] b, Random rng)
    {
        int n = a.Length, m = b.Length;
        var rows = Enumerable.Range(0, n).ToArray();
        var cols = Enumerable.Range(0, m).ToArray();
        rng.Shuffle(rows);
        rng.Shuffle(cols);
        var plan = new double[n * m];
        var ra = (double[])a.Clone();
        var rb = (double[])b.Clone();
        int i = 0, j = 0;
        while (i < n && j < m)
        {
            var mass = Math.Min(ra[rows[i]], rb[cols[j]]);
            plan[(rows[i] * m) + cols[j]] += mass;
            ra[rows[i]] -= mass;
            rb[cols[j]] -= mass;
            if (ra[rows[i]] <= rb[cols[j]])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return plan;
    }

    /// <summary>Subtracts each row's mean (a shift the row dual of a hard row marginal absorbs exactly).</summary>
    public static void CentreRows(double[] x, int rows, int cols)
    {
        for (var i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * cols, cols);
            var mean = TensorPrimitives.Sum<double>(row) / cols;
            TensorPrimitives.Subtract(row, mean, row);
        }
    }

    /// <summary>max_i max_k |x_ik − mean_k x_ik|: the sup norm of the row-centred block (without changing it).</summary>
    public static double CentredSupNorm(double[] x, int rows, int cols)
    {
        var norm = 0.0;
        for (var i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * cols, cols);
            var mean = TensorPrimitives.Sum<double>(row) / cols;
            norm = Math.Max(norm, Math.Max(TensorPrimitives.Max<double>(row) - mean, mean - TensorPrimitives.Min<double>(row)));
        }

        return norm;
    }

    /// <summary>Subtracts each column's mean.</summary>
    public static void CentreColumns(double[] x, int rows, int cols)
    {
        var means = DenseLinearAlgebra.ColumnSums(x, rows, cols);
        TensorPrimitives.Multiply(means, 1.0 / rows, means);
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Subtract(x.AsSpan(i * cols, cols), means, x.AsSpan(i * cols, cols));
        }
    }

    /// <summary>Whether the best objective improved by less than <paramref name="tolerance"/> (relative) over the last <see cref="StallWindow"/> iterations.</summary>
    public static bool Stalled(List<double> trace, double tolerance)
    {
        if (tolerance <= 0 || trace.Count <= StallWindow)
        {
            return false;
        }

        var before = double.PositiveInfinity;
        for (var k = 0; k < trace.Count - StallWindow; k++)
        {
            before = Math.Min(before, trace[k]);
        }

        var best = before;
        for (var k = trace.Count - StallWindow; k < trace.Count; k++)
        {
            best = Math.Min(best, trace[k]);
        }

        return before - best <= tolerance * Math.Max(Math.Abs(best), 1e-300);
    }

    /// <summary>Builds the result in the user's units.</summary>
    public static LowRankGromovResult Result(LowRankGromovSetup setup, double[] q, double[] lambda, double[] r, double[] t, int r1, int r2, double gwScaled, double linearScaled, List<double> trace, SolverStatus status, int iterations, double criterion, double threshold, List<double> criteria, TimeSpan elapsed, LowRankGromovObjective objective, Relaxation relaxation)
    {
        var coupling = new LowRankCoupling(q, lambda, r, setup.Rows, setup.Cols, r1, r2);
        var rowSums = coupling.SourceMarginal();
        var colSums = coupling.TargetMarginal();
        var s2 = setup.Scale * setup.Scale;
        var gw = gwScaled * s2;
        var lin = linearScaled * s2;
        var cost = ((1 - setup.Alpha) * lin) + (setup.Alpha * gw);
        status = LowRankSetup.FinalStatus(status, cost, rowSums);
        var convergence = new Convergence(status, iterations, criterion, threshold, criteria, elapsed);
        var stateBytes = objective.StateBytes + (sizeof(double) * 6L * (q.LongLength + r.LongLength));
        return new LowRankGromovResult(setup.Coupling(q, lambda, r, r1, r2), t, cost, gw, lin, setup.Alpha, [.. trace], convergence, DenseLinearAlgebra.L1Distance(rowSums, setup.A), DenseLinearAlgebra.L1Distance(colSums, setup.B), objective.Products, setup.Scale, s2, stateBytes, relaxation);
    }
}
