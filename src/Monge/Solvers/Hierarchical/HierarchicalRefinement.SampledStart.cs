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

    /// <summary>Stop 29 (euclvl1): Euclidean-cost blocks of at least <see cref="SampledStartMinBlock"/> points (level 1 from
    /// 524 288 points, level 2 too at 10⁷) co-cluster with the exact squared-Euclidean factors (k = d + 2) and therefore the
    /// squared cost's sampled start, instead of 30 whole-block mirror steps on 32 Nyström columns; every smaller block, the
    /// leaves, the polish and the reported cost keep the Euclidean cost. Default on (`hiref tune … lvl1sq=0` turns it off):
    /// under load at 1 048 576 points the four 2-D Euclidean rows took 22–49% less CPU, at a certified gap of 0.270% against
    /// 0.489% (8 Gaussians → moons), 0.103% against 0.051% (MAF moons → rings), 0.253% against 0.217% (half-moon → S-curve)
    /// and 0.277% against 0.377% (checkerboard) (docs/hiref.md "Stop 29 (euclvl1)"). Problems below 524 288 points are
    /// unchanged.</summary>
    internal bool LargeBlockSquaredFactors { get; init; } = true;

    /// <summary>Stop 30 (levels): Euclidean-cost blocks of at least this many points co-cluster with the exact
    /// squared-Euclidean factors (k = d + 2) at any level, as <see cref="LargeBlockSquaredFactors"/> does from
    /// <see cref="SampledStartMinBlock"/> (default <see cref="int.MaxValue"/>: off); blocks below
    /// <see cref="SampledStartMinBlock"/> keep their own mirror steps (no sampled start). The leaves, the polish and the
    /// reported cost keep the Euclidean cost. `hiref tune … sqmin=65536` (level 2 at 1 048 576 points).</summary>
    internal int SquaredFactorsMinBlock { get; init; } = int.MaxValue;

    /// <summary>Stop 29 (euclvl1): with <see cref="LargeBlockSquaredFactors"/>, the mirror steps a large Euclidean block then
    /// runs with its own (Nyström) cost factors, from the squared co-clustering's logits (default 0: none); `hiref tune …
    /// lvl1esteps=6`.</summary>
    internal int LargeBlockCostSteps { get; init; }

    /// <summary>Stop 29 (euclvl1): the Nyström factor columns of the blocks of at least <see cref="SampledStartMinBlock"/>
    /// points (0, the default: <see cref="Landmarks"/>); `hiref tune … lvl1k=16`.</summary>
    internal int LargeBlockLandmarks { get; init; }

    /// <summary>Stop 29 (euclvl1): the mirror steps of a block of at least <see cref="SampledStartMinBlock"/> points that
    /// does not take the sampled start (0, the default: <see cref="MaxIterations"/>); `hiref tune … lvl1iter=20`.</summary>
    internal int LargeBlockMaxIterations { get; init; }

    /// <summary>Stop 29 (euclvl1): the stall tolerance of the blocks of at least <see cref="SampledStartMinBlock"/> points
    /// (null, the default: the problem's single-precision tolerance, <see cref="SplitOptionsFor"/>); `hiref tune …
    /// lvl1stall=3e-3`.</summary>
    internal double? LargeBlockStallTolerance { get; init; }

    /// <summary>The options a block of <paramref name="m"/> points is split with under these (split) options: these, or for a
    /// block of at least <see cref="SampledStartMinBlock"/> points with any of the large-block options set, these with the
    /// cost of its co-clustering, its landmarks, its mirror steps and its stall tolerance replaced; a Euclidean block of at
    /// least <see cref="SquaredFactorsMinBlock"/> points below that with the squared cost only.</summary>
    internal HierarchicalRefinement ForBlock(int m)
    {
        if (m >= SquaredFactorsMinBlock && m < SampledStartMinBlock && Cost is Euclidean<double>)
        {
            return this with { Cost = new SquaredEuclidean<double>() };
        }

        if (m < SampledStartMinBlock || (!LargeBlockSquaredFactors && m < SquaredFactorsMinBlock && LargeBlockLandmarks == 0 && LargeBlockMaxIterations == 0 && LargeBlockStallTolerance is null))
        {
            return this;
        }

        return this with
        {
            Cost = (LargeBlockSquaredFactors || m >= SquaredFactorsMinBlock) && Cost is Euclidean<double> ? new SquaredEuclidean<double>() : Cost,
            Landmarks = LargeBlockLandmarks > 0 ? LargeBlockLandmarks : Landmarks,
            MaxIterations = LargeBlockMaxIterations > 0 ? LargeBlockMaxIterations : MaxIterations,
            SinglePrecisionStallTolerance = LargeBlockStallTolerance ?? SinglePrecisionStallTolerance,
        };
    }

    /// <summary>Whether a block of <paramref name="m"/> points under these (split) options takes the sampled start.</summary>
    internal bool UsesSampledStart(int m) =>
        SampledStartPoints > 0 && SeedingSteps >= 0 && m >= SampledStartMinBlock && m >= 4L * SampledStartPoints
        && m >= SinglePrecisionMinBlock && (CostFunction.IsSquaredEuclidean(Cost) || (SampledStartEuclidean && Cost is Euclidean<double>));
}
