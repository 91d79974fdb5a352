using System.Diagnostics;
using System.Numerics;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;

namespace Monge.Solvers.Entropic;

/// <content>The iteration loop, error checks, divergence handling and acceleration.</content>
public sealed partial record Sinkhorn
{
    /// <summary>
    /// With an initializer, ε-scaling starts (by default) at this fraction of the initial f's a-weighted standard
    /// deviation: high enough for the fast large-ε phase, low enough not to blur the start away (measured in
    /// docs/benchmarks.md, "Initializers").
    /// </summary>
    internal const double StartSpreadFraction = 0.2;

    /// <summary>
    /// Adaptive ω: once the error predicted for the next regular check (from the rate of the last interval) is within
    /// this multiple of <see cref="Threshold"/>, the error is checked after every iteration until the run stops.
    /// </summary>
    internal const double FinalIntervalFactor = 10;

    private Convergence Iterate<T>(SinkhornState<T> s, OverRelaxation relaxation, IProgress<SolverProgress>? progress, Stopwatch stopwatch, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = s.Geometry.Rows;
        var m = s.Geometry.Cols;
        var softCols = new T[m];
        var softRows = new T[n];
        var softRowsEps = T.Zero; // the ε at which softRows = softmin(g) of the current g was computed; 0: stale
        var update = new T[Math.Max(n, m)];
        var lastF = (T[])s.F.Clone();
        var lastG = (T[])s.G.Clone();
        var checkpoint = new Checkpoint<T>(s);
        var errors = new List<double>();
        var colError = new double[m];
        var rowError = new double[n];
        var anderson = AndersonMemory > 0 ? new AndersonAccelerator<T>(n, AndersonMemory) : null;
        var warmup = EpsilonScaling.WarmupIterations;
        var massBound = MassBound(s.Problem);
        var status = SolverStatus.MaxIterations;
        var lastError = double.NaN;
        var accelerated = false;
        var lastCheck = -1;
        var finalInterval = false;
        double? lastRegularError = null;

        // Single-precision early iterations (SingleSoftMin): on until a check comes near the threshold or stops improving.
        var single = s.Single is not null && anderson is null;
        var singleLevel = single ? Math.Max(SingleSwitchFactor * Threshold, 1e-3 * TargetNorm(s.Problem)) : 0;
        var singleStalls = 0;
        var iteration = 0;
        for (; iteration < MaxIterations; iteration++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            var epsT = T.CreateTruncating(s.Epsilon * EpsilonScaling.MultiplierAt(iteration));
            var atTarget = iteration >= warmup;

            // g-side soft-min of the current f (shared by the error check and the g update); in double at a check.
            var regularCheck = (iteration - warmup) % InnerIterations == 0;
            var check = atTarget && iteration > 0 && iteration >= MinIterations && (regularCheck || finalInterval);
            ColumnSoftMin<T>(s, epsT, softCols, single && !check && !regularCheck);
            if (check)
            {
                var (error, mass) = MarginalError(s, softCols, softRows, softRowsEps == epsT, accelerated, epsT, colError, rowError);
                lastError = error;
                errors.Add(error);
                progress?.Report(new SolverProgress("sinkhorn", iteration, MaxIterations, error));
                var blownUp = double.IsNaN(error) || !(mass <= massBound);
                var grew = error > OverRelaxation.GrowthFactor * checkpoint.Error;
                if ((blownUp || grew) && Safeguard && (relaxation.Omega != 1 || anderson is not null))
                {
                    // Safeguard: an accelerated step made things worse; go back to the best iterate and relax less.
                    checkpoint.Restore(s);
                    relaxation.RolledBack();
                    anderson = null;
                    softRowsEps = T.Zero;
                    lastCheck = -1;
                    lastRegularError = null;
                    finalInterval = false;
                    single = false;
                    continue;
                }

                if (blownUp)
                {
                    // Non-finite error, or a plan mass far above any the problem allows (over-relaxation without the
                    // safeguard): the run diverged. Return the best iterate seen.
                    status = SolverStatus.Diverged;
                    if (checkpoint.HasError)
                    {
                        checkpoint.Restore(s);
                    }

                    break;
                }

                if (error <= Threshold)
                {
                    status = SolverStatus.Converged;
                    break;
                }

                if (error < checkpoint.Error)
                {
                    checkpoint.Save(s, error);
                }

                if (regularCheck)
                {
                    // Adaptive ω: when the rate of the last interval predicts an error within 10 × the threshold at the next
                    // regular check, check every iteration until then, so the run stops at the first iteration that meets
                    // the threshold (such a check costs O(n + m): both soft-mins are fresh; docs/sinkhorn.md).
                    finalInterval = Momentum is null && anderson is null && InnerIterations > 1 && lastRegularError is { } before
                        && error < before && error * (error / before) <= FinalIntervalFactor * Threshold;
                    if (single)
                    {
                        // Leave float32 near the threshold, or after two checks in a row without progress (its rounding
                        // may be what holds the error up).
                        singleStalls = lastRegularError is { } last && error >= last ? singleStalls + 1 : 0;
                        single = error > singleLevel && singleStalls < 2 && !finalInterval;
                    }

                    lastRegularError = error;
                    relaxation.Observe(error, lastCheck < 0 ? 0 : iteration - lastCheck);
                    lastCheck = iteration;
                }
            }

            var omega = iteration >= MomentumStart && atTarget ? relaxation.Omega : 1;
            accelerated |= omega != 1 || anderson is not null;
            UpdateG<T>(s, softCols, epsT, omega, update);

            // The row soft-min before a check is in double: the check reuses it for the row error.
            var nextRegular = (iteration + 1 - warmup) % InnerIterations == 0;
            var rowsSingle = RowSoftMin<T>(s, epsT, softRows, single && !nextRegular && !finalInterval);
            softRowsEps = rowsSingle ? T.Zero : epsT;
            UpdateF<T>(s, softRows, epsT, omega, update);
            if (anderson is not null && atTarget)
            {
                anderson.Step(s.F);
                softRowsEps = T.Zero;
            }

            if (!AllFinite<T>(s.F) || !AllFinite<T>(s.G))
            {
                if (Safeguard && (omega != 1 || anderson is not null))
                {
                    checkpoint.Restore(s);
                    relaxation.RolledBack();
                    anderson = null;
                    softRowsEps = T.Zero;
                    lastCheck = -1;
                    lastRegularError = null;
                    finalInterval = false;
                    single = false;
                    continue;
                }

                status = SolverStatus.Diverged;
                if (checkpoint.HasError)
                {
                    checkpoint.Restore(s);
                }
                else
                {
                    lastF.CopyTo(s.F, 0);
                    lastG.CopyTo(s.G, 0);
                }

                break;
            }

            s.F.CopyTo(lastF, 0);
            s.G.CopyTo(lastG, 0);
        }

        if (status is SolverStatus.MaxIterations or SolverStatus.Cancelled or SolverStatus.Diverged)
        {
            // Report the error of the returned iterate.
            var eps = T.CreateTruncating(s.Epsilon);
            ColumnSoftMin<T>(s, eps, softCols);
            var (error, mass) = MarginalError(s, softCols, softRows, rowsFresh: false, accelerated, eps, colError, rowError);
            lastError = error;
            errors.Add(lastError);
            if (status == SolverStatus.MaxIterations && (double.IsNaN(error) || !(mass <= massBound)))
            {
                status = SolverStatus.Diverged;
            }

            if (status == SolverStatus.MaxIterations && lastError <= Threshold && iteration >= MinIterations)
            {
                status = SolverStatus.Converged;
            }
        }

        return new Convergence(status, iteration, lastError, Threshold, errors, stopwatch.Elapsed);
    }

    /// <summary>The target column marginal's norm in <see cref="Norm"/> (the scale of the marginal errors).</summary>
    private double TargetNorm<T>(LinearProblem<T> problem)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var b = new double[problem.B.Length];
        for (var j = 0; j < b.Length; j++)
        {
            b[j] = double.CreateTruncating(problem.B[j]);
        }

        return Norm2(b, Norm);
    }

    /// <summary>Column soft-min, in float32 (<see cref="SingleSoftMin"/>) when <paramref name="single"/> and the state has one; returns whether it was.</summary>
    private static bool ColumnSoftMin<T>(SinkhornState<T> s, T eps, Span<T> soft, bool single)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (single && TrySingle(s, s.F, eps, Axis.Columns, soft))
        {
            return true;
        }

        ColumnSoftMin(s, eps, soft);
        return false;
    }

    /// <summary>Row soft-min, in float32 when <paramref name="single"/> and the state has one; returns whether it was.</summary>
    private static bool RowSoftMin<T>(SinkhornState<T> s, T eps, Span<T> soft, bool single)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (single && TrySingle(s, s.G, eps, Axis.Rows, soft))
        {
            return true;
        }

        RowSoftMin(s, eps, soft);
        return false;
    }

    private static bool TrySingle<T>(SinkhornState<T> s, T[] h, T eps, Axis axis, Span<T> soft)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(double) && s.Single is { } single
            && single.TrySoftMin((double[])(object)h, double.CreateTruncating(eps), axis, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(soft));

    /// <summary>
    /// The largest plan mass a run may reach before it counts as diverged: 10 × max(|a|, |b|, |a|·|b|). A balanced plan
    /// has mass |a|; an unbalanced optimum (KL(P ‖ a⊗b) regularization) at most about max(|a|, |b|, |a|·|b|).
    /// </summary>
    internal static double MassBound<T>(LinearProblem<T> problem)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ma = problem.MassA;
        var mb = problem.MassB;
        return 10 * Math.Max(Math.Max(ma, mb), ma * mb);
    }

    /// <summary>
    /// Marginal error of the current (f, g) and the plan's mass: on the column side ‖c − c_new‖, where c is the column
    /// marginal and c_new the column marginal after the g update (= b when τ_b = 1); when <paramref name="includeRows"/>
    /// (over-relaxation or Anderson was used: the row side is not exact after the f update) the row side is added the same
    /// way. <paramref name="rowsFresh"/>: <paramref name="softRows"/> already holds softmin_ε(g) of the current g (the
    /// last iteration's), so the row side costs no soft-min.
    /// </summary>
    private (double Error, double Mass) MarginalError<T>(SinkhornState<T> s, T[] softCols, T[] softRows, bool rowsFresh, bool includeRows, T eps, double[] colError, double[] rowError)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var e = double.CreateTruncating(eps);
        var problem = s.Problem;
        var error = SideError<T>(s.G, softCols, s.KernelLogB, s.TargetLogB, problem.Relaxation.TauB(s.Epsilon), e, Norm, colError, out var mass);
        if (includeRows)
        {
            if (!rowsFresh)
            {
                RowSoftMin<T>(s, eps, softRows);
            }

            error += SideError<T>(s.F, softRows, s.KernelLogA, s.TargetLogA, problem.Relaxation.TauA(s.Epsilon), e, Norm, rowError, out _);
        }

        return (error, mass);
    }

    /// <summary>
    /// How far one Sinkhorn iteration at the target ε moves the initial f: the a-weighted RMS of f' − f with
    /// g = update(softmin_ε(f)) and f' = update(softmin_ε(g)), in cost units (0 at a fixed point).
    /// </summary>
    internal static double InitialResidual<T>(SinkhornState<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var geom = s.Geometry;
        var problem = s.Problem;
        var eps = T.CreateTruncating(s.Epsilon);
        var softCols = new T[geom.Cols];
        var softRows = new T[geom.Rows];
        var g = new T[geom.Cols];
        var f = new T[geom.Rows];
        geom.SoftMin(s.F, s.KernelLogA, eps, Axis.Columns, softCols);
        ApplyUpdate<T>(softCols, s.TargetLogB, problem.Relaxation.TauB(s.Epsilon), eps, g);
        geom.SoftMin(g, s.KernelLogB, eps, Axis.Rows, softRows);
        ApplyUpdate<T>(softRows, s.TargetLogA, problem.Relaxation.TauA(s.Epsilon), eps, f);
        double sum = 0, mass = 0;
        for (var i = 0; i < f.Length; i++)
        {
            var w = double.CreateTruncating(problem.A[i]);
            var d = double.CreateTruncating(f[i] - s.F[i]);
            sum += w * d * d;
            mass += w;
        }

        return Math.Sqrt(sum / mass);
    }

    /// <summary>The a-weighted standard deviation of the initial f (cost units): the scale of the start.</summary>
    internal static double PotentialSpread<T>(SinkhornState<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = s.Problem.A;
        double mass = 0, mean = 0;
        for (var i = 0; i < s.F.Length; i++)
        {
            var w = double.CreateTruncating(a[i]);
            mass += w;
            mean += w * double.CreateTruncating(s.F[i]);
        }

        mean /= mass;
        double v = 0;
        for (var i = 0; i < s.F.Length; i++)
        {
            var d = double.CreateTruncating(s.F[i]) - mean;
            v += double.CreateTruncating(a[i]) * d * d;
        }

        return Math.Sqrt(v / mass);
    }

    /// <summary>Sets the initial f; returns the multiple of ε at which that start was computed (1 for the unregularized duals; null: zero start).</summary>
    internal double? Initialize<T>(LinearProblem<T> problem, SinkhornState<T> state, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (Initializer)
        {
            case SinkhornInitializer.Zero:
                return null;
            case SinkhornInitializer.Subsample:
                var level = SubsampleEpsilonMultiplier;
                return SinkhornInitializers.Subsample(this, problem, state, level, cancellationToken) ? level : null;
            case SinkhornInitializer.Gaussian:
                SinkhornInitializers.Gaussian(problem, state);
                return 1;
            case SinkhornInitializer.Sorting:
                SinkhornInitializers.Sorting(problem, state);
                return 1;
            default:
                throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown initializer {Initializer}.", nameof(problem));
        }
    }
}
