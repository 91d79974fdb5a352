using System.Diagnostics;
using System.Numerics;
using Monge.Geometry;
using Monge.Problems;

namespace Monge.Solvers.Entropic;

/// <content>The public warm start: solving from given potentials.</content>
public sealed partial record Sinkhorn
{
    /// <summary>
    /// Solves the problem starting from given potentials (a warm start) instead of <see cref="Initializer"/>. From the
    /// converged potentials of the same problem and ε the run stops at its first error check.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="problem">The problem.</param>
    /// <param name="initial">
    /// The starting potentials (copied, never modified), for example <see cref="SinkhornResult{T}.Potentials"/> of an
    /// earlier solve; null means the <see cref="Initializer"/> start (the same as the overload without it). Like every
    /// initializer the start sets f and the first iteration computes g from it, so <c>G</c> only has to have the right
    /// length. The potentials are taken to be at the target ε, so <see cref="EpsilonScaling"/> is skipped unless
    /// <see cref="InitializedScalingStart"/> sets where the decay starts.
    /// </param>
    /// <param name="progress">Receives a report at every error check.</param>
    /// <param name="cancellationToken">Stops the loop at the next iteration (status <see cref="SolverStatus.Cancelled"/>).</param>
    /// <returns>The potentials, diagnostics and plan operations. Non-convergence is a status, not an exception.</returns>
    /// <exception cref="InputValidationException">Invalid options, or potentials of the wrong length or with a non-finite entry, checked before any work.</exception>
    public SinkhornResult<T> Solve<T>(LinearProblem<T> problem, SinkhornPotentials<T>? initial, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(problem);
        Validate();
        if (initial is not null)
        {
            CheckPotential(initial.F, problem.Geometry.Rows, nameof(initial.F));
            CheckPotential(initial.G, problem.Geometry.Cols, nameof(initial.G));
        }

        var stopwatch = Stopwatch.StartNew();
        var epsilon = ResolveEpsilon(problem.Geometry);

        // A relaxation given as KL weights ρ is read as τ = ρ/(ρ+ε) at the final ε, kept fixed through ε-scaling
        // (OTT's convention); the result reports the problem in that τ form.
        problem = problem.WithRelaxation(problem.Relaxation.AtEpsilon(epsilon));
        var (geometry, storage, bytes) = CostStoragePolicy.Choose(problem.Geometry, CostStorage, MaxCostMemory);
        var state = new SinkhornState<T>(problem, Convention, epsilon, geometry) { Kernel = StoredKernel(geometry, storage, bytes) };
        if (typeof(T) == typeof(double) && SingleEarlyIterations && state.Kernel is null && AndersonMemory == 0)
        {
            state.Single = SingleSoftMin.TryCreate((CostGeometry<double>)(object)geometry, (double[])(object)state.KernelLogA, (double[])(object)state.KernelLogB, SingleMinEntries);
        }

        EpsilonScaling schedule;
        if (initial is null)
        {
            var startLevel = Initialize(problem, state, cancellationToken);
            schedule = StartingSchedule(startLevel, startLevel is null ? 0 : PotentialSpread(state) / epsilon);
        }
        else
        {
            // The given potentials are taken to be at the target ε: no large-ε phase unless InitializedScalingStart asks for one.
            initial.F.CopyTo(state.F, 0);
            initial.G.CopyTo(state.G, 0);
            schedule = InitializedScalingStart is null ? EpsilonScaling.None : StartingSchedule(1, 0);
        }

        var solver = schedule == EpsilonScaling ? this : this with { EpsilonScaling = schedule };
        var relaxation = new OverRelaxation(Momentum);
        var convergence = solver.Iterate(state, relaxation, progress, stopwatch, cancellationToken);
        return new SinkhornResult<T>(problem, Convention, epsilon, state.F, state.G, convergence)
        {
            Momentum = relaxation.Omega,
            SafeguardRollbacks = relaxation.Rollbacks,
            CostStorage = storage,
            CostMemoryBytes = bytes,
            KernelMemoryBytes = state.Kernel is { Disabled: false } kernel ? kernel.MemoryBytes : 0,
            KernelAbsorptions = state.Kernel?.Absorptions ?? 0,
            SingleSoftMins = state.Single?.Count ?? 0,
        };
    }

    /// <summary>
    /// The stored kernel for the kernel-domain iterations (<see cref="KernelSoftMin"/>): double-precision problems whose
    /// costs are stored dense (where a log-domain pass evaluates an exp per stored entry), with the kernel within the
    /// cost-memory budget next to the stored costs. Online point clouds keep the log domain: the fused online kernel costs
    /// about one pass over a stored kernel (measured in 2-D at 2000 × 2000: 0.46–0.62 CPU s for 90 iterations in the log
    /// domain, 0.48–0.65 with a double kernel, 0.66–0.97 with a float32 kernel; docs/benchmarks.md). The kernel is
    /// float32 from <see cref="SingleKernelMinEntries"/> entries on (half the memory and the memory traffic of a pass),
    /// double below, where the tests compare it with the log domain to 1e-10.
    /// </summary>
    private KernelSoftMin? StoredKernel<T>(CostGeometry<T> geometry, CostStorage storage, long bytes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(double) || !KernelIterations || storage != CostStorage.Dense)
        {
            return null;
        }

        var entries = (long)geometry.Rows * geometry.Cols;
        var single = SingleKernel ?? entries >= SingleKernelMinEntries;
        var budget = MaxCostMemory ?? DefaultMaxCostMemory;
        var kernelBytes = KernelSoftMin.Bytes(geometry.Rows, geometry.Cols, single);
        return entries <= Array.MaxLength && bytes + kernelBytes <= budget
            ? new KernelSoftMin((CostGeometry<double>)(object)geometry, single)
            : null;
    }

    private static void CheckPotential<T>(T[] potential, int length, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (potential is null || potential.Length != length)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The initial potential {name} has length {potential?.Length ?? 0}; the problem needs {length}.", name);
        }

        for (var k = 0; k < potential.Length; k++)
        {
            if (!T.IsFinite(potential[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"The initial potential {name} has a non-finite entry {potential[k]} at index {k}.", name, k);
            }
        }
    }
}
