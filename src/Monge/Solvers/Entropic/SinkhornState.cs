using System.Numerics;
using Monge.Geometry;
using Monge.Problems;

namespace Monge.Solvers.Entropic;

/// <summary>The mutable working set of one Sinkhorn run: potentials and the log-weights of the chosen convention.</summary>
internal sealed class SinkhornState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Finite stand-in for log 0 in target log-weights, so that zero weights do not read as divergence.</summary>
    public static readonly T LogZeroFloor = T.CreateTruncating(-1e30);

    /// <param name="problem">The problem.</param>
    /// <param name="convention">The entropic regularizer.</param>
    /// <param name="epsilon">The target ε.</param>
    /// <param name="geometry">The geometry the soft-mins run on (the same costs as the problem's, possibly stored densely); null: the problem's.</param>
    public SinkhornState(LinearProblem<T> problem, EntropyConvention convention, double epsilon, CostGeometry<T>? geometry = null)
    {
        Problem = problem;
        Geometry = geometry ?? problem.Geometry;
        Epsilon = epsilon;
        var logA = LogWeights(problem.A);
        var logB = LogWeights(problem.B);
        if (convention == EntropyConvention.KullbackLeibler)
        {
            KernelLogA = logA;
            KernelLogB = logB;
            TargetLogA = [];
            TargetLogB = [];
        }
        else
        {
            KernelLogA = [];
            KernelLogB = [];
            TargetLogA = Floor(logA);
            TargetLogB = Floor(logB);
        }

        F = new T[Geometry.Rows];
        G = new T[Geometry.Cols];
    }

    public LinearProblem<T> Problem { get; }

    public CostGeometry<T> Geometry { get; }

    /// <summary>The kernel-domain soft-min on a stored kernel (double only), or null for the log domain throughout.</summary>
    public KernelSoftMin? Kernel { get; init; }

    /// <summary>The float32 online soft-min for the early iterations (<see cref="SingleSoftMin"/>), or null.</summary>
    public SingleSoftMin? Single { get; set; }

    public double Epsilon { get; }

    /// <summary>log a inside the kernel (KL convention) or empty.</summary>
    public T[] KernelLogA { get; }

    /// <summary>log b inside the kernel (KL convention) or empty.</summary>
    public T[] KernelLogB { get; }

    /// <summary>log a added to the f update (entropy convention) or empty.</summary>
    public T[] TargetLogA { get; }

    /// <summary>log b added to the g update (entropy convention) or empty.</summary>
    public T[] TargetLogB { get; }

    public T[] F { get; }

    public T[] G { get; }

    public static T[] LogWeights(ReadOnlySpan<T> w)
    {
        var result = new T[w.Length];
        for (var i = 0; i < w.Length; i++)
        {
            result[i] = T.Log(w[i]);
        }

        return result;
    }

    private static T[] Floor(T[] logW)
    {
        for (var i = 0; i < logW.Length; i++)
        {
            logW[i] = T.Max(logW[i], LogZeroFloor);
        }

        return logW;
    }
}
