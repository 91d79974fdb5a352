using System.Diagnostics;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;

namespace Monge.Tools.Barycenters;

/// <summary>
/// The free-support Wasserstein barycenter (Cuturi and Doucet, "Fast computation of Wasserstein barycenters", ICML 2014,
/// Algorithm 2 with θ = 1, as POT's <c>ot.lp.free_support_barycenter</c>): K points X with fixed weights b minimizing
/// Σ_s w_s W₂²(Σ_i b_i δ_{x_i}, μ_s) over weighted point clouds μ_s of any sizes, for the squared Euclidean cost.
/// An immutable options record.
/// </summary>
/// <remarks>
/// <para>
/// Each iteration solves the S plans P_s between the current points and the inputs, then moves every point to the
/// weighted average of its barycentric projections, x_i ← Σ_s w_s (P_s Y_s)_i / b_i (the discrete form of the fixed
/// point of Álvarez-Esteban et al. 2016). With exact plans the objective F never increases: F(X_t) − F(X_{t+1}) ≥
/// Σ_i b_i ‖x_i^{t+1} − x_i^t‖², so the relative change of F used as the stopping rule also bounds the displacement.
/// The loop stops when |F_t − F_{t+1}| ≤ <see cref="Threshold"/>·F_{t+1}, when an update leaves the points exactly
/// where they were (with exact plans the usual end: the plans repeat), or after <see cref="MaxIterations"/> updates. POT stops on the
/// unweighted absolute displacement Σ_i ‖x_i^{t+1} − x_i^t‖² ≤ stopThr (1e-7); both reach the same fixed point from
/// the same start. The problem is not convex in X: the result is a fixed point that depends on the start.
/// </para>
/// <para>
/// Inner solves (<see cref="Inner"/>): exact by default, with the monotone (sorted) plan when d = 1, the Jonker–Volgenant
/// assignment when b and the input's weights are uniform and n_s = K, and the network simplex otherwise; or Sinkhorn
/// (<see cref="Entropic"/>), whose plans blur the update (the points shrink towards the means as ε grows). The
/// reported objective is always the exact Σ_s w_s W₂² at the final points unless <see cref="ExactObjective"/> is
/// turned off with entropic inner solves. The S inner solves of an iteration run in parallel.
/// </para>
/// <para>
/// Start: the given points, or (POT has no default; its example draws N(0, I) points) K distinct atoms drawn without
/// replacement from the mixture Σ_s w_s μ_s with probabilities w_s a_{s,j} (<see cref="Seed"/>); when fewer than K
/// atoms have positive mass the rest are drawn with replacement and jittered by 10⁻³ times the mixture's spread.
/// </para>
/// <para>
/// Time per iteration: the S inner solves (network simplex on K × n_s: empirically O(K·n_s·√(K·n_s)) to O((K + n_s)³);
/// assignment O(K³); d = 1: O((K + n_s) log(K + n_s)); Sinkhorn O(K·n_s·d) per sweep) plus O(K·Σ_s n_s·d) for the costs
/// and the update. Memory: the S dense K × n_s cost matrices (exact) plus O(K·d + Σ_s n_s) for plans and points.
/// </para>
/// </remarks>
public sealed record FreeSupportBarycenter
{
    /// <summary>How plans are computed (default <see cref="FreeSupportInnerSolver.Exact"/>).</summary>
    public FreeSupportInnerSolver Inner { get; init; } = FreeSupportInnerSolver.Exact;

    /// <summary>The network simplex used by exact inner solves (and for the exact objective).</summary>
    public NetworkSimplex Exact { get; init; } = new();

    /// <summary>
    /// The Sinkhorn solver of entropic inner solves (default: ε = 0.01 × the mean cost of each inner problem, L1
    /// marginal error 10⁻⁶, at most 10 000 iterations). Set an absolute ε through <see cref="Sinkhorn.EpsilonRelativeTo"/>.
    /// </summary>
    public Sinkhorn Entropic { get; init; } = new()
    {
        Epsilon = 0.01,
        EpsilonRelativeTo = EpsilonReference.MeanCost,
        Threshold = 1e-6,
        MaxIterations = 10_000,
    };

    /// <summary>Maximum number of location updates (default 100, as POT's <c>numItermax</c>).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stop when the relative change of the objective between two updates is at most this (default 1e-9).</summary>
    public double Threshold { get; init; } = 1e-9;

    /// <summary>With entropic inner solves, report the exact Σ_s w_s W₂² at the final points (one more exact solve per input; default true).</summary>
    public bool ExactObjective { get; init; } = true;

    /// <summary>Seed of the random start (used when no initial points are given).</summary>
    public int Seed { get; init; }

    /// <summary>The free-support barycenter with <paramref name="size"/> points of the weighted point clouds <paramref name="measures"/>.</summary>
    /// <param name="measures">The inputs μ_s (any sizes, one dimension d; weights as given, normalized to one; uniform where absent).</param>
    /// <param name="size">K, the number of barycenter points (≥ 1).</param>
    /// <param name="lambdas">The inputs' weights w_s (non-negative, positive sum, normalized to one; null: uniform).</param>
    /// <param name="barycenterWeights">b (length K, positive, normalized to one; null: uniform).</param>
    /// <param name="initialPoints">X at the start (K × d row-major, finite); null: seeded draw (see <see cref="Seed"/>).</param>
    /// <param name="cancellationToken">Checked before every iteration (not inside the inner solves); cancellation returns the current points with status Cancelled.</param>
    /// <returns>The points, the exact objective, the plans and the convergence report.</returns>
    /// <exception cref="InputValidationException">No input, dimensions that differ, invalid weights, K &lt; 1, bad initial points or options.</exception>
    public FreeSupportBarycenterResult Solve(
        IReadOnlyList<PointCloud<double>> measures,
        int size,
        IReadOnlyList<double>? lambdas = null,
        double[]? barycenterWeights = null,
        double[]? initialPoints = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(measures);
        if (MaxIterations < 0 || !(Threshold >= 0))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Need MaxIterations ≥ 0 and a non-negative threshold (got {MaxIterations}, {Threshold}).");
        }

        var s = measures.Count;
        if (s < 1 || size < 1)
        {
            throw new InputValidationException(InputProblem.Empty, $"A barycenter needs at least one input and one point (got {s} inputs, K = {size}).", nameof(measures));
        }

        var d = measures[0]?.Dimension ?? 0;
        var inputs = new Input[s];
        for (var k = 0; k < s; k++)
        {
            var cloud = measures[k] ?? throw new ArgumentNullException(nameof(measures), $"Input {k} is null.");
            if (cloud.Dimension != d)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"Input {k} has dimension {cloud.Dimension}; input 0 has {d}.", nameof(measures), k);
            }

            inputs[k] = new Input(cloud.Data.ToArray(), cloud.NormalizedWeights(), cloud.Count, d);
        }

        var w = NormalizedLambdas(lambdas, s);
        var b = barycenterWeights is null ? Marginals.Uniform<double>(size) : Marginals.Normalized<double>(barycenterWeights, nameof(barycenterWeights));
        if (b.Length != size)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{b.Length} barycenter weights for K = {size} points.", nameof(barycenterWeights));
        }

        for (var i = 0; i < size; i++)
        {
            if (!(b[i] > 0))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Barycenter weight {i} is {b[i]}; every barycenter point needs a positive weight.", nameof(barycenterWeights), i);
            }
        }

        double[] x;
        if (initialPoints is null)
        {
            x = InitialPoints(inputs, w, size, d, Seed);
        }
        else
        {
            if (initialPoints.Length != (long)size * d)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"The initial points have {initialPoints.Length} values; K × d = {size * d}.", nameof(initialPoints));
            }

            for (var k = 0; k < initialPoints.Length; k++)
            {
                if (!double.IsFinite(initialPoints[k]))
                {
                    throw new InputValidationException(InputProblem.NonFinite, $"Initial point entry {k} is {initialPoints[k]}.", nameof(initialPoints), k);
                }
            }

            x = (double[])initialPoints.Clone();
        }

        if (Inner == FreeSupportInnerSolver.Entropic)
        {
            ArgumentNullException.ThrowIfNull(Entropic);
        }

        var stopwatch = Stopwatch.StartNew();
        var uniformB = IsUniform(b);
        var workspaces = new InputWorkspace[s];
        for (var k = 0; k < s; k++)
        {
            workspaces[k] = new InputWorkspace(size, inputs[k].Count);
        }

        var plans = Evaluate(inputs, workspaces, x, b, uniformB, Inner);
        var objective = Objective(plans, w);
        var trace = new List<double>();
        var status = SolverStatus.MaxIterations; // MaxIterations = 0 evaluates the start only: not a converged solve
        var iterations = 0;
        var error = double.NaN;
        var next = new double[x.Length];
        for (var t = 0; t < MaxIterations; t++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            Update(plans, inputs, w, b, d, next);
            if (!AllFinite(next))
            {
                status = SolverStatus.Diverged;
                break;
            }

            if (next.AsSpan().SequenceEqual(x))
            {
                // The points did not move: the plans, the objective and every later iterate are the current ones.
                iterations++;
                error = 0;
                trace.Add(error);
                status = SolverStatus.Converged;
                break;
            }

            var nextPlans = Evaluate(inputs, workspaces, next, b, uniformB, Inner);
            var nextObjective = Objective(nextPlans, w);
            iterations++;
            error = nextObjective == objective ? 0 : Math.Abs(objective - nextObjective) / Math.Max(Math.Abs(nextObjective), double.Epsilon);
            trace.Add(error);
            (x, next) = (next, x);
            plans = nextPlans;
            objective = nextObjective;
            if (error <= Threshold || Array.TrueForAll(plans, p => p.Unchanged))
            {
                // Unchanged: every warm-started exact solve kept its previous tree (no pivot), so the plans are the ones
                // that gave these points and the next update would return them exactly: the fixed point is reached.
                status = SolverStatus.Converged;
                break;
            }
        }

        if (status == SolverStatus.Converged && plans.Any(p => !p.Optimal))
        {
            // An inner solve stopped early (network simplex pivot budget, Sinkhorn iteration budget): do not claim convergence.
            status = SolverStatus.MaxIterations;
        }

        var exact = Inner == FreeSupportInnerSolver.Exact || ExactObjective;
        var valuePlans = Inner == FreeSupportInnerSolver.Entropic && ExactObjective
            ? Evaluate(inputs, workspaces, x, b, uniformB, FreeSupportInnerSolver.Exact)
            : plans;
        var values = valuePlans.Select(p => p.Value).ToArray();
        var finalObjective = Objective(valuePlans, w);
        var finalPlans = plans;
        var convergence = new Convergence(status, iterations, error, Threshold, trace, stopwatch.Elapsed);
        return new FreeSupportBarycenterResult(x, b, d, values, finalObjective, exact, input => finalPlans[input].Dense(size), convergence);
    }

    // About 30 000 cost entries take tens of microseconds to fill and far longer to solve: above that a thread hand-off pays.
    private const long ParallelWork = 30_000;

    private static double[] NormalizedLambdas(IReadOnlyList<double>? lambdas, int s)
    {
        if (lambdas is null)
        {
            return Marginals.Uniform<double>(s);
        }

        if (lambdas.Count != s)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{lambdas.Count} input weights for {s} inputs.", nameof(lambdas));
        }

        return Marginals.Normalized<double>(lambdas.ToArray(), nameof(lambdas));
    }

    private static bool IsUniform(ReadOnlySpan<double> weights)
    {
        var min = double.PositiveInfinity;
        var max = 0.0;
        foreach (var v in weights)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return max - min <= 1e-14 * max;
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private static double Objective(InnerPlan[] plans, double[] w)
    {
        var total = 0.0;
        for (var k = 0; k < plans.Length; k++)
        {
            total += w[k] * plans[k].Value;
        }

        return total;
    }

    // Inner solves are not cancelled midway (a cancelled plan would be partial); cancellation is checked between iterations.
    // Each input's solve reads and writes only its own workspace, so running them in parallel gives the same plans.
    private InnerPlan[] Evaluate(Input[] inputs, InputWorkspace[] workspaces, double[] x, double[] b, bool uniformB, FreeSupportInnerSolver inner)
    {
        var plans = new InnerPlan[inputs.Length];
        InnerPlan Solve(int k) => inner == FreeSupportInnerSolver.Exact
            ? SolveExact(inputs[k], workspaces[k], x, b, uniformB)
            : SolveEntropic(inputs[k], workspaces[k], x, b);

        long work = 0;
        foreach (var input in inputs)
        {
            work += (long)b.Length * input.Count;
        }

        if (work < ParallelWork || inputs.Length == 1)
        {
            for (var k = 0; k < inputs.Length; k++)
            {
                plans[k] = Solve(k);
            }
        }
        else
        {
            Parallel.For(0, inputs.Length, k => plans[k] = Solve(k));
        }

        return plans;
    }

    private InnerPlan SolveExact(Input input, InputWorkspace workspace, double[] x, double[] b, bool uniformB)
    {
        var size = b.Length;
        var n = input.Count;
        var d = input.Dimension;
        if (d == 1)
        {
            // The monotone plan is optimal for every convex cost of x − y in one dimension.
            var (rows, cols, mass) = OneDimensional.Plan(x, input.Points, b, input.Weights);
            var value = 0.0;
            for (var e = 0; e < rows.Length; e++)
            {
                var gap = x[rows[e]] - input.Points[cols[e]];
                value += mass[e] * gap * gap;
            }

            return new InnerPlan(rows, cols, mass, rows.Length, value, true, n);
        }

        var cost = workspace.Cost;
        LinearAssignment.FillCost(x, input.Points, d, null, cost);
        if (uniformB && n == size && input.Uniform)
        {
            var assignment = new int[size];
            var total = LinearAssignment.SolveInto<double>(cost, size, n, assignment, workspace.Assignment);
            var rows = new int[size];
            var mass = new double[size];
            for (var i = 0; i < size; i++)
            {
                rows[i] = i;
                mass[i] = 1.0 / size;
            }

            return new InnerPlan(rows, assignment, mass, size, total / size, true, n);
        }

        // Warm start: the previous iteration's optimal tree is a feasible basis here (same weights); after small moves it
        // needs few pivots, or none. The engine runs in the workspace's arrays and leaves the plan there: no allocation,
        // which is most of the time of a solve at POT's example size (K = 10, n_s < 20).
        var warm = workspace.ExactSolves++ > 0;
        var simplex = workspace.Simplex;
        Exact.SolveInPlace(simplex, cost, b, input.Weights);
        return new InnerPlan(simplex.Rows, simplex.Columns, simplex.Mass, simplex.Count, simplex.Cost, simplex.Status == SolverStatus.Converged, n)
        {
            Unchanged = warm && simplex.Basis.LastPivots == 0,
        };
    }

    private InnerPlan SolveEntropic(Input input, InputWorkspace workspace, double[] x, double[] b)
    {
        var source = new PointCloud<double>(x, b.Length, input.Dimension, b);
        var target = new PointCloud<double>(input.Points, input.Count, input.Dimension, input.Weights);

        // Warm start from the previous iteration's potentials: the points moved a little, the start saves sweeps.
        var result = Entropic.Solve(LinearProblem<double>.FromPointClouds(source, target), workspace.Potentials);
        workspace.Potentials = result.Potentials;
        return new InnerPlan(result, result.Cost, result.Converged, input.Count);
    }

    private static void Update(InnerPlan[] plans, Input[] inputs, double[] w, double[] b, int d, double[] next)
    {
        Array.Clear(next);
        for (var k = 0; k < plans.Length; k++)
        {
            var plan = plans[k];
            var y = inputs[k].Points;
            if (plan.Sinkhorn is { } sinkhorn)
            {
                // Barycentric projection divided by the plan's own row sums (not b: Sinkhorn meets b only to its threshold).
                var projected = sinkhorn.BarycentricProjection();
                for (var e = 0; e < next.Length; e++)
                {
                    next[e] += w[k] * projected[e];
                }

                continue;
            }

            // Σ_j P_ij y_j / b_i, as POT (exact plans have row sums b up to rounding).
            for (var e = 0; e < plan.Count; e++)
            {
                var i = plan.Rows[e];
                var scale = w[k] * plan.Mass[e] / b[i];
                var yj = y.AsSpan(plan.Columns[e] * d, d);
                var xi = next.AsSpan(i * d, d);
                for (var c = 0; c < d; c++)
                {
                    xi[c] += scale * yj[c];
                }
            }
        }

    }

    private static double[] InitialPoints(Input[] inputs, double[] w, int size, int d, int seed)
    {
        // Efraimidis–Spirakis weighted sampling without replacement: the K largest keys log(u)/p over atoms with p > 0.
        var random = new Random(seed);
        var atoms = new List<(double Key, int Input, int Index, double P)>();
        for (var k = 0; k < inputs.Length; k++)
        {
            var a = inputs[k].Weights;
            for (var j = 0; j < a.Length; j++)
            {
                var p = w[k] * a[j];
                var u = random.NextDouble();
                if (p > 0)
                {
                    atoms.Add((Math.Log(Math.Max(u, double.Epsilon)) / p, k, j, p));
                }
            }
        }

        atoms.Sort((l, r) => r.Key.CompareTo(l.Key));
        var x = new double[size * d];
        var take = Math.Min(size, atoms.Count);
        for (var i = 0; i < take; i++)
        {
            inputs[atoms[i].Input].Points.AsSpan(atoms[i].Index * d, d).CopyTo(x.AsSpan(i * d, d));
        }

        if (take == size)
        {
            return x;
        }

        // Fewer atoms than K: draw the rest with replacement by mass and jitter them by 1e-3 × the mixture's spread.
        var mean = new double[d];
        var spread = 0.0;
        foreach (var atom in atoms)
        {
            var y = inputs[atom.Input].Points.AsSpan(atom.Index * d, d);
            for (var c = 0; c < d; c++)
            {
                mean[c] += atom.P * y[c];
            }
        }

        foreach (var atom in atoms)
        {
            var y = inputs[atom.Input].Points.AsSpan(atom.Index * d, d);
            for (var c = 0; c < d; c++)
            {
                spread += atom.P * (y[c] - mean[c]) * (y[c] - mean[c]);
            }
        }

        var jitter = 1e-3 * (spread > 0 ? Math.Sqrt(spread / d) : 1.0);
        var cumulative = new double[atoms.Count];
        var total = 0.0;
        for (var e = 0; e < atoms.Count; e++)
        {
            total += atoms[e].P;
            cumulative[e] = total;
        }

        for (var i = take; i < size; i++)
        {
            var e = Array.BinarySearch(cumulative, random.NextDouble() * total);
            e = Math.Min(e < 0 ? ~e : e, atoms.Count - 1);
            var y = inputs[atoms[e].Input].Points.AsSpan(atoms[e].Index * d, d);
            for (var c = 0; c < d; c++)
            {
                x[(i * d) + c] = y[c] + (jitter * random.NextGaussian());
            }
        }

        return x;
    }

    private sealed class Input(double[] points, double[] weights, int count, int dimension)
    {
        public double[] Points { get; } = points;

        public double[] Weights { get; } = weights;

        public int Count { get; } = count;

        public int Dimension { get; } = dimension;

        public bool Uniform { get; } = IsUniform(weights);
    }

    /// <summary>What one input keeps between iterations: its cost buffer, the network simplex tree, the assignment scratch and the Sinkhorn potentials.</summary>
    private sealed class InputWorkspace(int size, int count)
    {
        public double[] Cost { get; } = new double[(long)size * count];

        public NetworkSimplexWorkspace Simplex { get; } = new();

        public LinearAssignmentWorkspace<double> Assignment { get; } = new();

        public SinkhornPotentials<double>? Potentials { get; set; }

        public int ExactSolves { get; set; }
    }

    private sealed class InnerPlan
    {
        /// <summary>A sparse plan: the first <paramref name="count"/> entries of the arrays (which may be a workspace's, overwritten by its next solve).</summary>
        public InnerPlan(int[] rows, int[] columns, double[] mass, int count, double value, bool optimal, int columnsCount)
        {
            Count = count;
            Rows = rows;
            Columns = columns;
            Mass = mass;
            Value = value;
            Optimal = optimal;
            ColumnCount = columnsCount;
        }

        public InnerPlan(SinkhornResult<double> sinkhorn, double value, bool optimal, int columnsCount)
        {
            Sinkhorn = sinkhorn;
            Rows = [];
            Columns = [];
            Mass = [];
            Value = value;
            Optimal = optimal;
            ColumnCount = columnsCount;
        }

        public int Count { get; }

        public int[] Rows { get; }

        public int[] Columns { get; }

        public double[] Mass { get; }

        public SinkhornResult<double>? Sinkhorn { get; }

        public double Value { get; }

        public bool Optimal { get; }

        /// <summary>A warm-started exact solve that made no pivot: the same plan as the previous iteration's.</summary>
        public bool Unchanged { get; init; }

        public int ColumnCount { get; }

        public double[] Dense(int size)
        {
            if (Sinkhorn is not null)
            {
                return Sinkhorn.ToDense();
            }

            var plan = new double[(long)size * ColumnCount];
            for (var e = 0; e < Count; e++)
            {
                plan[((long)Rows[e] * ColumnCount) + Columns[e]] += Mass[e];
            }

            return plan;
        }
    }
}
