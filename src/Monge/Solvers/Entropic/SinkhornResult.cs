using System.Numerics;
using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;

namespace Monge.Solvers.Entropic;

/// <summary>
/// The result of <see cref="Sinkhorn.Solve{T}(LinearProblem{T}, IProgress{SolverProgress}, CancellationToken)"/>: potentials, the convergence report, and plan products computed
/// online on demand (the n × m plan is never stored unless <see cref="ToDense"/> is called).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// The plan is P_ij = a_i b_j exp((f_i + g_j − C_ij)/ε) under <see cref="EntropyConvention.KullbackLeibler"/> and
/// exp((f_i + g_j − C_ij)/ε) under <see cref="EntropyConvention.Entropy"/>, with C the (scaled) cost of the problem's
/// geometry. Each plan product is one O(n·m·d) tiled pass (parallel, O(tile) memory); the scalar summaries
/// (<see cref="Cost"/>, <see cref="RegularizedCost"/>, marginals) share a single pass, computed on first access and cached.
/// </remarks>
public sealed partial class SinkhornResult<T> : ITransportPlan<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _logA;
    private readonly T[] _logB;
    private readonly Lazy<Summary> _summary;

    internal SinkhornResult(LinearProblem<T> problem, EntropyConvention convention, double epsilon, T[] f, T[] g, Convergence convergence)
    {
        Problem = problem;
        Convention = convention;
        Epsilon = epsilon;
        F = f;
        G = g;
        Convergence = convergence;
        if (convention == EntropyConvention.KullbackLeibler)
        {
            _logA = SinkhornState<T>.LogWeights(problem.A);
            _logB = SinkhornState<T>.LogWeights(problem.B);
        }
        else
        {
            _logA = [];
            _logB = [];
        }

        _summary = new Lazy<Summary>(ComputeSummary);
    }

    /// <summary>The solved problem.</summary>
    public LinearProblem<T> Problem { get; }

    /// <summary>The entropic regularizer used.</summary>
    public EntropyConvention Convention { get; }

    /// <summary>The absolute ε used (after resolving a relative ε).</summary>
    public double Epsilon { get; }

    /// <summary>The multiplier applied to the raw costs by the geometry (1 unless rescaled); every cost below is in scaled units.</summary>
    public double CostScaleFactor => double.CreateTruncating(Problem.Geometry.ScaleFactor);

    /// <summary>Source potential f (length n).</summary>
    public T[] F { get; }

    /// <summary>Target potential g (length m).</summary>
    public T[] G { get; }

    /// <summary>f and g together (the arrays are shared, not copied): pass them to <see cref="Sinkhorn.Solve{T}(LinearProblem{T}, SinkhornPotentials{T}, IProgress{SolverProgress}, CancellationToken)"/> to warm-start another solve.</summary>
    public SinkhornPotentials<T> Potentials => new(F, G);

    /// <summary>Status, iterations, error trace, threshold and time.</summary>
    public Convergence Convergence { get; }

    /// <summary>Whether the run converged.</summary>
    public bool Converged => Convergence.Converged;

    /// <summary>The over-relaxation ω of the last iterations (the adaptive choice when <see cref="Sinkhorn.Momentum"/> was null; 1 = plain Sinkhorn).</summary>
    public double Momentum { get; init; } = 1;

    /// <summary>How many times the <see cref="Sinkhorn.Safeguard"/> rolled an accelerated run back to its best iterate.</summary>
    public int SafeguardRollbacks { get; init; }

    /// <summary>How the iterations held the costs (<see cref="Sinkhorn.CostStorage"/>; never <see cref="Geometry.CostStorage.Auto"/>).</summary>
    public CostStorage CostStorage { get; init; } = CostStorage.Online;

    /// <summary>Bytes of that storage: the matrix and its transposed copy (dense), the factors, or the points (online).</summary>
    public long CostMemoryBytes { get; init; }

    /// <summary>
    /// Bytes of the stored kernel of the kernel-domain iterations (docs/sinkhorn.md, "Kernel-domain iterations"): 8 per
    /// cost entry (double) or 4 (float32, from 2²² entries on); 0 when the iterations ran in the log domain (float
    /// problems, online or factored costs, a kernel above the memory budget, or a kernel dropped at very small ε).
    /// </summary>
    public long KernelMemoryBytes { get; init; }

    /// <summary>How many times the kernel was rebuilt around new reference potentials (0 in the log domain).</summary>
    internal int KernelAbsorptions { get; init; }

    /// <summary>How many soft-mins of the run were float32 early iterations (<see cref="SingleSoftMin"/>).</summary>
    internal int SingleSoftMins { get; init; }

    /// <inheritdoc />
    public int SourceCount => Problem.Geometry.Rows;

    /// <inheritdoc />
    public int TargetCount => Problem.Geometry.Cols;

    /// <summary>The primal transport cost ⟨C, P⟩ of the plan with the problem's masses (POT's <c>sinkhorn2</c> value).</summary>
    public double Cost => _summary.Value.Cost;

    /// <summary>Total mass of the plan Σ P_ij.</summary>
    public double TransportedMass => _summary.Value.Mass;

    /// <summary>
    /// The regularized objective evaluated at the plan: ⟨C, P⟩ + ε·KL(P ‖ a⊗b) (or ε·Σ P(log P − 1) under
    /// <see cref="EntropyConvention.Entropy"/>) + ρ_a·KL(P1 ‖ a) + ρ_b·KL(Pᵀ1 ‖ b) for relaxed marginals, with
    /// ρ = ε τ/(1 − τ) and KL the generalized (mass-aware) divergence. OTT-JAX's <c>reg_ot_cost</c> (primal form).
    /// </summary>
    public double RegularizedCost => _summary.Value.RegularizedCost;

    /// <summary>The entropic term alone: KL(P ‖ a⊗b), or Σ P(log P − 1) under <see cref="EntropyConvention.Entropy"/>.</summary>
    public double EntropyTerm => _summary.Value.EntropyTerm;

    /// <summary>‖P1 − a‖₁, computed exactly in the summary pass.</summary>
    public double SourceMarginalError => _summary.Value.RowError;

    /// <summary>‖Pᵀ1 − b‖₁, computed exactly in the summary pass.</summary>
    public double TargetMarginalError => _summary.Value.ColError;

    /// <summary>The row marginal P1 (length n).</summary>
    public double[] SourceMarginal => (double[])_summary.Value.Rows.Clone();

    /// <summary>The column marginal Pᵀ1 (length m).</summary>
    public double[] TargetMarginal => (double[])_summary.Value.Cols.Clone();

    /// <summary>
    /// Applies the plan: <c>P·v</c> for <see cref="Axis.Rows"/> (v of length m, result length n) or <c>Pᵀ·v</c> for
    /// <see cref="Axis.Columns"/>. One online pass.
    /// </summary>
    /// <param name="vector">v.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <returns>The product.</returns>
    /// <exception cref="ArgumentException">Wrong length.</exception>
    public double[] ApplyPlan(ReadOnlySpan<T> vector, Axis axis) => ApplyPlan(vector, 1, axis);

    /// <summary>
    /// Applies the plan to k vectors at once: for <see cref="Axis.Rows"/>, V is m × k row-major and the result P·V is
    /// n × k; for <see cref="Axis.Columns"/>, U is n × k and the result Pᵀ·U is m × k. One online pass for all k.
    /// </summary>
    /// <param name="block">The vectors, row-major.</param>
    /// <param name="columns">k ≥ 1.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <returns>The row-major product.</returns>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    public double[] ApplyPlan(ReadOnlySpan<T> block, int columns, Axis axis)
    {
        var geom = Problem.Geometry;
        var n = geom.Rows;
        var m = geom.Cols;
        var inLength = axis == Axis.Rows ? m : n;
        if (columns < 1 || block.Length != (long)inLength * columns)
        {
            throw new ArgumentException($"Expected {inLength} × {columns} values for axis {axis} (got {block.Length}).", nameof(block));
        }

        var v = block.ToArray();
        var k = columns;
        var outLength = axis == Axis.Rows ? n : m;
        var result = new double[outLength * k];
        PlanTiles.ForEachTile(
            geom,
            F,
            G,
            _logA,
            _logB,
            T.CreateTruncating(Epsilon),
            () => axis == Axis.Rows ? result : new double[outLength * k],
            (i0, rows, j0, w, _, plan, acc) =>
            {
                for (var r = 0; r < rows; r++)
                {
                    var i = i0 + r;
                    for (var c = 0; c < w; c++)
                    {
                        var p = double.CreateTruncating(plan[(r * w) + c]);
                        var j = j0 + c;
                        if (axis == Axis.Rows)
                        {
                            for (var q = 0; q < k; q++)
                            {
                                acc[(i * k) + q] += p * double.CreateTruncating(v[(j * k) + q]);
                            }
                        }
                        else
                        {
                            for (var q = 0; q < k; q++)
                            {
                                acc[(j * k) + q] += p * double.CreateTruncating(v[(i * k) + q]);
                            }
                        }
                    }
                }
            },
            acc =>
            {
                if (!ReferenceEquals(acc, result))
                {
                    TensorPrimitives.Add(result, acc, result);
                }
            });
        return result;
    }

    /// <summary>The dense plan, row-major n × m.</summary>
    /// <param name="maxEntries">Refuse above this many entries (default <see cref="PlanSize.DefaultMaxEntries"/>, 10⁸).</param>
    /// <exception cref="InvalidOperationException">n·m exceeds <paramref name="maxEntries"/>; the message gives the memory it would need. Use <see cref="ApplyPlan(ReadOnlySpan{T}, int, Axis)"/>, <see cref="TopK"/> or <see cref="BarycentricProjection"/> instead.</exception>
    public T[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries)
    {
        var m = Problem.Geometry.Cols;
        var entries = PlanSize.EnsureDense<T>(Problem.Geometry.Rows, m, maxEntries, "plan");
        var dense = new T[entries];
        ForEachPlanTile(
            (i0, rows, j0, w, _, plan, _) =>
            {
                for (var r = 0; r < rows; r++)
                {
                    plan.Slice(r * w, w).CopyTo(dense.AsSpan(((i0 + r) * m) + j0, w));
                }
            },
            deterministicExp: true);
        return dense;
    }

    /// <summary>One online pass over the tiles of this plan for a visitor that writes to disjoint rows (no per-worker state).</summary>
    /// <param name="visit">The visitor.</param>
    /// <param name="deterministicExp">Same bits at every JIT tier: <see cref="ToDense"/> (its plan feeds entropic GW and barycenters) and <see cref="TopK"/> (whose values must equal the dense plan's).</param>
    private void ForEachPlanTile(PlanTiles.TileVisitor<T, object?> visit, bool deterministicExp = true) =>
        PlanTiles.ForEachTile(Problem.Geometry, F, G, _logA, _logB, T.CreateTruncating(Epsilon), () => null, visit, _ => { }, deterministicExp);

    private Summary ComputeSummary()
    {
        var geom = Problem.Geometry;
        var n = geom.Rows;
        var m = geom.Cols;
        var eps = T.CreateTruncating(Epsilon);
        var rows = new double[n];
        var cols = new double[m];
        double cost = 0, mass = 0, logitSum = 0;
        PlanTiles.ForEachTile(
            geom,
            F,
            G,
            _logA,
            _logB,
            eps,
            () => new Accumulator(m),
            (i0, r0, j0, w, c, plan, acc) =>
            {
                for (var r = 0; r < r0; r++)
                {
                    var i = i0 + r;
                    var fi = double.CreateTruncating(F[i]);
                    double rowSum = 0;
                    for (var q = 0; q < w; q++)
                    {
                        var p = double.CreateTruncating(plan[(r * w) + q]);
                        if (p == 0)
                        {
                            continue;
                        }

                        var j = j0 + q;
                        var cij = double.CreateTruncating(c[(r * w) + q]);
                        rowSum += p;
                        acc.Cols[j] += p;
                        acc.Cost += p * cij;
                        acc.Logit += p * (fi + double.CreateTruncating(G[j]) - cij);
                    }

                    rows[i] += rowSum;
                    acc.Mass += rowSum;
                }
            },
            acc =>
            {
                cost += acc.Cost;
                mass += acc.Mass;
                logitSum += acc.Logit;
                for (var j = 0; j < m; j++)
                {
                    cols[j] += acc.Cols[j];
                }
            });
        var e = Epsilon;
        var z = logitSum / e;
        var entropy = Convention == EntropyConvention.KullbackLeibler ? z - mass + (Problem.MassA * Problem.MassB) : z - mass;
        var reg = cost + (e * entropy);
        reg += RelaxationPenalty(rows, Problem.A, Problem.Relaxation.TauA(e), e) + RelaxationPenalty(cols, Problem.B, Problem.Relaxation.TauB(e), e);
        double rowError = 0, colError = 0;
        for (var i = 0; i < n; i++)
        {
            rowError += Math.Abs(rows[i] - double.CreateTruncating(Problem.A[i]));
        }

        for (var j = 0; j < m; j++)
        {
            colError += Math.Abs(cols[j] - double.CreateTruncating(Problem.B[j]));
        }

        return new Summary(cost, mass, entropy, reg, rows, cols, rowError, colError);
    }

    private static double RelaxationPenalty(double[] marginal, ReadOnlySpan<T> weights, double tau, double eps)
    {
        if (tau >= 1)
        {
            return 0;
        }

        var rho = LinearProblem<T>.Rho(tau, eps);
        double kl = 0;
        for (var i = 0; i < marginal.Length; i++)
        {
            var p = marginal[i];
            var q = double.CreateTruncating(weights[i]);
            kl += (p > 0 ? p * Math.Log(p / q) : 0) - p + q;
        }

        return rho * kl;
    }

    private sealed class Accumulator(int m)
    {
        public double[] Cols { get; } = new double[m];

        public double Cost { get; set; }

        public double Mass { get; set; }

        public double Logit { get; set; }
    }

    private sealed record Summary(double Cost, double Mass, double EntropyTerm, double RegularizedCost, double[] Rows, double[] Cols, double RowError, double ColError);
}
