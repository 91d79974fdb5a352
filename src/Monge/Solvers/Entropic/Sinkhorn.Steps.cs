using System.Numerics;
using Monge.Geometry;

namespace Monge.Solvers.Entropic;

/// <content>
/// The one Sinkhorn engine: the half-step updates, the symmetric averaged update and the marginal-error check on a
/// <see cref="SinkhornState{T}"/>. <see cref="Iterate"/>, the symmetric self problems of
/// <see cref="Tools.SinkhornDivergence"/> and the full-size refinement of <see cref="Tools.DualBound"/> all step through
/// these, so the update f ← τ·(ε·ℓ^t + softmin_ε(·)) and the error ‖c − c_new‖ have one implementation; each caller keeps
/// its own schedule (ε-scaling, momentum and Anderson here; the fixed refinement count of the bound; the averaged
/// symmetric iteration of the divergence).
/// </content>
public sealed partial record Sinkhorn
{
    /// <summary>The column-side soft-min of the current f: soft_j = softmin_ε over i of (C_ij − f_i) (with the a kernel log-weights).</summary>
    internal static void ColumnSoftMin<T>(SinkhornState<T> s, T eps, Span<T> soft)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TryKernel(s, s.F, s.KernelLogA, eps, Axis.Columns, soft))
        {
            s.Geometry.SoftMin(s.F, s.KernelLogA, eps, Axis.Columns, soft);
        }
    }

    /// <summary>The row-side soft-min of the current g: soft_i = softmin_ε over j of (C_ij − g_j) (with the b kernel log-weights).</summary>
    internal static void RowSoftMin<T>(SinkhornState<T> s, T eps, Span<T> soft)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TryKernel(s, s.G, s.KernelLogB, eps, Axis.Rows, soft))
        {
            s.Geometry.SoftMin(s.G, s.KernelLogB, eps, Axis.Rows, soft);
        }
    }

    /// <summary>The soft-min on the state's stored kernel (<see cref="KernelSoftMin"/>), when it has one and it is still in use.</summary>
    private static bool TryKernel<T>(SinkhornState<T> s, T[] h, T[] logWeights, T eps, Axis axis, Span<T> soft)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(double) && s.Kernel is { } kernel
            && kernel.TrySoftMin((double[])(object)h, (double[])(object)logWeights, double.CreateTruncating(eps), axis, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(soft));

    /// <summary>g ← (1 − ω)·g + ω·τ_b·(ε·ℓ^t_b + soft) from the column soft-min; <paramref name="scratch"/> (length m) is used only when ω ≠ 1.</summary>
    internal static void UpdateG<T>(SinkhornState<T> s, ReadOnlySpan<T> softCols, T eps, double omega, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
        => UpdateSide(s.G, softCols, s.TargetLogB, s.Problem.Relaxation.TauB(s.Epsilon), eps, omega, scratch);

    /// <summary>f ← (1 − ω)·f + ω·τ_a·(ε·ℓ^t_a + soft) from the row soft-min; <paramref name="scratch"/> (length n) is used only when ω ≠ 1.</summary>
    internal static void UpdateF<T>(SinkhornState<T> s, ReadOnlySpan<T> softRows, T eps, double omega, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
        => UpdateSide(s.F, softRows, s.TargetLogA, s.Problem.Relaxation.TauA(s.Epsilon), eps, omega, scratch);

    /// <summary>One plain alternating iteration g ← update(softmin_ε(f)), f ← update(softmin_ε(g)) (no momentum).</summary>
    internal static void Step<T>(SinkhornState<T> s, T eps, T[] softCols, T[] softRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ColumnSoftMin(s, eps, softCols);
        UpdateG<T>(s, softCols, eps, 1, default);
        RowSoftMin(s, eps, softRows);
        UpdateF<T>(s, softRows, eps, 1, default);
    }

    /// <summary>
    /// The soft-min of a symmetric problem (same measure on both sides), with f in the role of g:
    /// soft_i = softmin_ε over j of (C_ij − f_j).
    /// </summary>
    internal static void SymmetricSoftMin<T>(SinkhornState<T> s, T eps, Span<T> soft)
        where T : unmanaged, IFloatingPointIeee754<T>
        => s.Geometry.SoftMin(s.F, s.KernelLogB, eps, Axis.Rows, soft);

    /// <summary>The averaged symmetric update f ← ½(f + τ_a·(ε·ℓ^t_a + soft)) (OTT's <c>symmetric_sinkhorn</c>, GeomLoss); <paramref name="scratch"/> has length n.</summary>
    internal static void SymmetricUpdate<T>(SinkhornState<T> s, ReadOnlySpan<T> soft, T eps, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
        => UpdateSide(s.F, soft, s.TargetLogA, s.Problem.Relaxation.TauA(s.Epsilon), eps, 0.5, scratch);

    /// <summary>
    /// Marginal error of one side: ‖c − c_new‖ where c_j = exp(ℓk_j + (h_j − soft_j)/ε) is the marginal of the current
    /// plan and c_new the marginal after the update of h (= the target weights when τ = 1). <paramref name="diff"/> (the
    /// side's length) receives c − c_new.
    /// </summary>
    internal static double SideError<T>(ReadOnlySpan<T> potential, ReadOnlySpan<T> softMin, ReadOnlySpan<T> kernelLog, ReadOnlySpan<T> targetLog, double tau, double eps, MarginalNorm norm, Span<double> diff)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SideError(potential, softMin, kernelLog, targetLog, tau, eps, norm, diff, out _);

    /// <summary>As <see cref="SideError{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, double, double, MarginalNorm, Span{double})"/>; <paramref name="mass"/> receives Σ c_j, the mass of the current plan.</summary>
    internal static double SideError<T>(ReadOnlySpan<T> potential, ReadOnlySpan<T> softMin, ReadOnlySpan<T> kernelLog, ReadOnlySpan<T> targetLog, double tau, double eps, MarginalNorm norm, Span<double> diff, out double mass)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        mass = 0;
        for (var j = 0; j < potential.Length; j++)
        {
            var sm = double.CreateTruncating(softMin[j]);
            var h = double.CreateTruncating(potential[j]);
            var lk = kernelLog.IsEmpty ? 0 : double.CreateTruncating(kernelLog[j]);
            var lt = targetLog.IsEmpty ? 0 : double.CreateTruncating(targetLog[j]);
            var hNew = tau * ((eps * lt) + sm);
            var current = Math.Exp(lk + ((h - sm) / eps));
            var next = Math.Exp(lk + ((hNew - sm) / eps));
            diff[j] = current - next;
            mass += current;
        }

        return Norm2(diff[..potential.Length], norm);
    }

    /// <summary>The marginal error of a symmetric problem's current f, from its <see cref="SymmetricSoftMin"/>.</summary>
    internal static double SymmetricError<T>(SinkhornState<T> s, ReadOnlySpan<T> soft, T eps, MarginalNorm norm, Span<double> diff)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SideError<T>(s.F, soft, s.KernelLogA, s.TargetLogA, s.Problem.Relaxation.TauA(s.Epsilon), double.CreateTruncating(eps), norm, diff);

    private static void UpdateSide<T>(Span<T> potential, ReadOnlySpan<T> soft, ReadOnlySpan<T> targetLog, double tau, T eps, double omega, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (omega == 1)
        {
            ApplyUpdate(soft, targetLog, tau, eps, potential);
            return;
        }

        var update = scratch[..potential.Length];
        ApplyUpdate(soft, targetLog, tau, eps, update);
        Blend<T>(potential, update, omega);
    }
}
