using System.Numerics;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.Entropic;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// The result of <see cref="EntropicGromovWasserstein"/>: the dense plan (n × m, row-major), the objective in POT's
/// convention and its parts, the fixed-point residual and the convergence report.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class EntropicGromovWassersteinResult<T> : ITransportPlan<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _plan;
    private readonly double[] _rows;
    private readonly double[] _cols;

    private EntropicGromovWassersteinResult(T[] plan, int n, int m)
    {
        _plan = plan;
        SourceCount = n;
        TargetCount = m;
        _rows = new double[n];
        _cols = new double[m];
        for (var i = 0; i < n; i++)
        {
            double s = 0;
            for (var j = 0; j < m; j++)
            {
                var p = double.CreateTruncating(plan[(i * m) + j]);
                s += p;
                _cols[j] += p;
            }

            _rows[i] = s;
        }

        TransportedMass = _rows.Sum();
    }

    /// <inheritdoc />
    public int SourceCount { get; }

    /// <inheritdoc />
    public int TargetCount { get; }

    /// <summary>The objective at the plan, POT's convention: (1 − α)·<see cref="LinearCost"/> + α·<see cref="GwCost"/> (GW alone without a linear term). No entropy.</summary>
    public double Cost { get; private init; }

    /// <summary>GW(P) = ⟨L(C1, C2) ⊗ P, P⟩ (square loss, no ½, no root): POT's <c>gw_dist</c>.</summary>
    public double GwCost { get; private init; }

    /// <summary>⟨M, P⟩ for a fused problem; 0 otherwise.</summary>
    public double LinearCost { get; private init; }

    /// <summary>The fusion weight α of the GW term (1 without a linear term).</summary>
    public double Alpha { get; private init; }

    /// <summary>
    /// The entropic objective the fixed points are stationary for: <see cref="Cost"/> + ε·KL(P ‖ a⊗b) when balanced; with
    /// relaxed marginals <see cref="Cost"/> + (ε/2)·KL⊗(P ‖ a⊗b) + (ρ_a/2)·KL⊗(P1 ‖ a) + (ρ_b/2)·KL⊗(Pᵀ1 ‖ b).
    /// </summary>
    public double RegularizedCost { get; private init; }

    /// <summary>KL(P ‖ a⊗b) (generalized, mass-aware).</summary>
    public double EntropyTerm { get; private init; }

    /// <summary>The final ε (POT's convention).</summary>
    public double Epsilon { get; private init; }

    /// <summary>The outer method used.</summary>
    public EntropicGromovMethod Method { get; private init; }

    /// <summary>The marginal relaxation solved.</summary>
    public Relaxation Relaxation { get; private init; } = Relaxation.Balanced;

    /// <summary>‖P_{t+1} − P_t‖₁ / m(P_t) at the last outer iteration (the fixed-point residual).</summary>
    public double FixedPointResidual => Convergence.FinalError;

    /// <summary>Outer iterations performed.</summary>
    public int Iterations => Convergence.Iterations;

    /// <summary>Sinkhorn iterations summed over the outer iterations.</summary>
    public long InnerIterations { get; private init; }

    /// <summary>Outer iterations whose Sinkhorn stopped before its threshold.</summary>
    public int InnerFailures { get; private init; }

    /// <summary>The potentials of the last Sinkhorn (a warm start for a nearby problem); null if none ran.</summary>
    public SinkhornPotentials<T>? Potentials { get; private init; }

    /// <inheritdoc />
    public Convergence Convergence { get; private init; } = null!;

    /// <summary>Whether the run converged (outer residual and the last Sinkhorn).</summary>
    public bool Converged => Convergence.Converged;

    /// <summary>Total mass of the plan.</summary>
    public double TransportedMass { get; }

    /// <inheritdoc />
    public double[] SourceMarginal => (double[])_rows.Clone();

    /// <inheritdoc />
    public double[] TargetMarginal => (double[])_cols.Clone();

    /// <summary>The plan, row-major n × m (shared, not copied).</summary>
    public ReadOnlySpan<T> Plan => _plan;

    /// <inheritdoc />
    public double[] ApplyPlan(ReadOnlySpan<T> vector, Axis axis) => ApplyPlan(vector, 1, axis);

    /// <inheritdoc />
    public double[] ApplyPlan(ReadOnlySpan<T> block, int columns, Axis axis)
    {
        var n = SourceCount;
        var m = TargetCount;
        var inLength = axis == Axis.Rows ? m : n;
        if (columns < 1 || block.Length != (long)inLength * columns)
        {
            throw new ArgumentException($"Expected {inLength} × {columns} values for axis {axis} (got {block.Length}).", nameof(block));
        }

        var k = columns;
        var result = new double[(axis == Axis.Rows ? n : m) * k];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var p = double.CreateTruncating(_plan[(i * m) + j]);
                if (p == 0)
                {
                    continue;
                }

                for (var q = 0; q < k; q++)
                {
                    if (axis == Axis.Rows)
                    {
                        result[(i * k) + q] += p * double.CreateTruncating(block[(j * k) + q]);
                    }
                    else
                    {
                        result[(j * k) + q] += p * double.CreateTruncating(block[(i * k) + q]);
                    }
                }
            }
        }

        return result;
    }

    /// <inheritdoc />
    public T[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries)
    {
        PlanSize.EnsureDense<T>(SourceCount, TargetCount, maxEntries, "plan");
        return (T[])_plan.Clone();
    }

    internal static EntropicGromovWassersteinResult<T> Create(
        EntropicGromovWasserstein options,
        QuadraticProblem<T> input,
        T[] plan,
        SinkhornPotentials<T>? potentials,
        Convergence convergence,
        long innerIterations,
        int innerFailures)
    {
        var n = input.Rows;
        var m = input.Cols;
        var gw = input.Tensor.Value(plan);
        var lin = input.LinearValue(plan);
        var alpha = input.Alpha;
        var cost = input.IsFused ? ((1 - alpha) * lin) + (alpha * gw) : gw;
        var mass = EntropicGromovWasserstein.Sum<T>(plan);

        // Generalized KL(P ‖ a⊗b) = Σ P log(P/ab) − m(P) + m(a)m(b).
        var xlogx = EntropicGromovWasserstein.XLogXOverProduct<T>(plan, input.A, input.B);

        var kl = xlogx - mass + (input.MassA * input.MassB);
        var epsilon = options.Epsilon;
        double regularized;
        if (input.Relaxation.IsBalanced)
        {
            regularized = cost + (epsilon * kl);
        }
        else
        {
            // (1/2)·KL⊗(μ ‖ ν) = m(μ)·Σ μ log(μ/ν) − m(μ)²/2 + m(ν)²/2.
            var result0 = new EntropicGromovWassersteinResult<T>(plan, n, m);
            regularized = cost + (epsilon * HalfTensorKl(mass, xlogx, input.MassA * input.MassB));
            if (!input.Relaxation.IsExactA)
            {
                var rows = result0._rows.Select(T.CreateTruncating).ToArray();
                regularized += input.Relaxation.RhoA(epsilon) * HalfTensorKl(mass, EntropicGromovWasserstein.XLogXOver(rows, input.A), input.MassA);
            }

            if (!input.Relaxation.IsExactB)
            {
                var cols = result0._cols.Select(T.CreateTruncating).ToArray();
                regularized += input.Relaxation.RhoB(epsilon) * HalfTensorKl(mass, EntropicGromovWasserstein.XLogXOver(cols, input.B), input.MassB);
            }
        }

        return new EntropicGromovWassersteinResult<T>(plan, n, m)
        {
            Cost = cost,
            GwCost = gw,
            LinearCost = lin,
            Alpha = alpha,
            RegularizedCost = regularized,
            EntropyTerm = kl,
            Epsilon = epsilon,
            Method = options.Method,
            Relaxation = input.Relaxation,
            InnerIterations = innerIterations,
            InnerFailures = innerFailures,
            Potentials = potentials,
            Convergence = convergence,
        };
    }

    private static double HalfTensorKl(double mass, double xlogx, double referenceMass)
        => (mass * xlogx) - (0.5 * mass * mass) + (0.5 * referenceMass * referenceMass);
}
