using Monge.Geometry.Costs;

namespace Monge.Solvers.Hierarchical;

/// <summary>The options of the sampled start of the large blocks (<see cref="SampledStart"/>): a block of at least
/// <see cref="SampledStartMinBlock"/> points first runs its whole co-clustering on a stratified sample of
/// <see cref="SampledStartPoints"/> points of each side, carries the sample's logit parameters over to every point of the
/// block, and then runs at most <see cref="SampledStartSteps"/> mirror steps on the whole block.</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>Points of each side in the sample of the sampled start (default 65 536; 0 turns it off). Stop 23, under load,
    /// 8 Gaussians → moons at 1 048 576 points: 56.0 CPU-s and 0.655% certified against 77.6 CPU-s and 0.742% without it;
    /// half-moon → S-curve 36.3 against 56.8 CPU-s, cost +0.010% (docs/hiref.md "Stop 23 (speed)"). Problems below <see cref="SampledStartMinBlock"/> points are unchanged.</summary>
    internal int SampledStartPoints { get; init; } = 65536;

    /// <summary>The sampled start runs only on single-precision, seeded blocks of at least this many points (default
    /// 524 288) with the squared Euclidean cost (or the Euclidean cost with <see cref="SampledStartEuclidean"/>), and only
    /// when the block has at least four times <see cref="SampledStartPoints"/>.</summary>
    internal int SampledStartMinBlock { get; init; } = 524288;

    /// <summary>Mirror steps on the whole block after the sampled start (default 6; the stall stop still applies).</summary>
    internal int SampledStartSteps { get; init; } = 6;

    /// <summary>Whether the Euclidean cost takes the sampled start too (stop 25, e1mspd; the sample copies the block's
    /// Nyström factor rows, <see cref="SampledStart.Sample"/>). Default off: under load at 1 048 576 it cut MAF moons →
    /// rings' solve by 19% CPU-s at a lower cost (0.047% against 0.051% certified) but left 8 Gaussians → moons at 0.578%
    /// against 0.489% for about the same CPU-s (docs/hiref.md "Stop 25 (e1mspd)"); `hiref tune … sampledeucl=1`.</summary>
    internal bool SampledStartEuclidean { get; init; }

    /// <summary>Whether a block of <paramref name="m"/> points under these (split) options takes the sampled start.</summary>
    internal bool UsesSampledStart(int m) =>
        SampledStartPoints > 0 && SeedingSteps >= 0 && m >= SampledStartMinBlock && m >= 4L * SampledStartPoints
        && m >= SinglePrecisionMinBlock && (CostFunction.IsSquaredEuclidean(Cost) || (SampledStartEuclidean && Cost is Euclidean<double>));
}
