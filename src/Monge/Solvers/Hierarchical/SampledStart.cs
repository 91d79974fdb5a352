using Monge.Geometry.Costs;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The sampled start of a large block's co-clustering (<see cref="HierarchicalRefinement.SampledStartPoints"/>): the
/// seeding and the mirror steps run first on a stratified sample of s points of each side (one point drawn from each of
/// s equal runs of the block's index ranges), and their result is carried over to every point of the block; the whole
/// block then runs at most <see cref="HierarchicalRefinement.SampledStartSteps"/> mirror steps from there.
/// </summary>
/// <remarks>
/// <para>Why the carry-over is exact for the squared Euclidean cost: every mirror step moves the logits by
/// −step·F_X M (F_X the point's factor row, M = F_Yᵀ R, k×r), and the seeding's logits are scale·‖x − c_z‖², so after the
/// sample's run the logits of any point x are scale·‖x − c_z‖² − F_X(x)·A plus a row constant and a column constant, with
/// A = Σ step·M over the steps (<see cref="CompactCoClustering.Run"/>'s accumulators). The factors are centred at a
/// block's mean, but a change of centre only adds row and column constants (the ‖x‖² column of F_X pairs with the column
/// masses of R, equal across columns), and the projection removes both. step·M does not depend on the sample size (M and
/// the gradient range both scale with it).</para>
/// <para>The Euclidean cost (stop 25, e1mspd; opt-in, <see cref="HierarchicalRefinement.SampledStartEuclidean"/>): its factors are a Nyström skeleton on landmarks drawn per block, so the
/// sample copies the block's factor rows (the same landmarks); the carry-over is then exact for the same reason (the
/// seeding's logits are the same squared-distance function of the point, every step moves them by −step·F_X M).</para>
/// <para>Cost: the sample's full co-clustering (s/m of a whole-block step each) and one pass over the block for the
/// logits, instead of the seeding's k-means++ and Lloyd steps and up to <see cref="HierarchicalRefinement.MaxIterations"/>
/// whole-block steps. Memory: the sample's own workspace (3·s·r floats, 2·s·k doubles) beside the block's.</para>
/// </remarks>
internal static class SampledStart
{
    /// <summary>Runs the co-clustering on the block's stratified sample (one point drawn from each of s equal runs of each
    /// index range, from <paramref name="rng"/>) from the whole block's seeding (its <paramref name="centres"/>, r×d, and
    /// <paramref name="scale"/>); k factor columns (those of the block). Returns the sums of step·M of both sides (k×r each).</summary>
    /// <remarks>With <paramref name="block"/> (the whole block's workspace, its factors filled) the sample's factor rows are
    /// copied from the block's rows at the sampled positions instead of being built again: required for the sampled (Nyström)
    /// factors of the Euclidean cost, whose landmarks are drawn per block, so that the sample's F_X is the block's and the
    /// carried steps mean the same thing on every point. The squared Euclidean cost builds the sample's own (exact) factors,
    /// as since stop 23 (the sharded coordinator has no block factors).</remarks>
    public static (double[] StepsQ, double[] StepsR) Sample(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, int k, int r, HierarchicalRefinement options, in CoClusteringSettings settings, ulong seed, Random rng, double[] centres, float scale, ParallelOptions? inner, CancellationToken cancellationToken, CoClusteringWorkspace? block = null)
    {
        var m = ix.Length;
        var s = options.SampledStartPoints;
        var sx = new int[s];
        var sy = new int[s];
        var px = new int[s];
        var py = new int[s];
        for (var i = 0; i < s; i++)
        {
            var lo = (int)((long)m * i / s);
            var hi = (int)((long)m * (i + 1) / s);
            px[i] = lo + rng.Next(hi - lo);
            py[i] = lo + rng.Next(hi - lo);
            sx[i] = ix[px[i]];
            sy[i] = iy[py[i]];
        }

        var sample = new CoClusteringWorkspace();
        int ks;
        if (block is null)
        {
            ks = BlockFactors.Gather(sample, x, y, d, sx, sy, options.Cost, options.Landmarks, rng, inner);
        }
        else
        {
            ks = k;
            sample.EnsureFactors(s, k);
            for (var i = 0; i < s; i++)
            {
                block.FactorX.AsSpan(px[i] * k, k).CopyTo(sample.FactorX.AsSpan(i * k, k));
                block.FactorY.AsSpan(py[i] * k, k).CopyTo(sample.FactorY.AsSpan(i * k, k));
            }
        }

        if (ks != k)
        {
            throw new InvalidOperationException($"The sample's factors have {ks} columns; the block's have {k}.");
        }

        CompactCoClustering.SeedFromCentres(sample, x, y, d, sx, sy, r, centres, scale, inner);
        var stepsQ = new double[k * r];
        var stepsR = new double[k * r];
        _ = CompactCoClustering.Run(sample, s, k, r, settings, options.SinglePrecisionStallTolerance, seed, seeded: true, inner, cancellationToken, stepsQ, stepsR);
        return (stepsQ, stepsR);
    }

    /// <summary>The whole block's co-clustering with the sampled start: the block's own seeding (k-means++ and Lloyd
    /// steps on every point, <see cref="CompactCoClustering.Seed"/>), the mirror steps on the sample from that start
    /// (<see cref="Sample"/>), the first projections moved by the carried steps, then at most
    /// <see cref="HierarchicalRefinement.SampledStartSteps"/> mirror steps. Factors must be in <c>ws.FactorX</c> and
    /// <c>ws.FactorY</c>. Returns the whole block's mirror steps.</summary>
    public static int Run(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, int k, int r, HierarchicalRefinement options, in CoClusteringSettings settings, ulong seed, Random rng, ParallelOptions? inner, CancellationToken cancellationToken)
    {
        var t0 = HiRefProfile.Start();
        var centres = new double[r * d];
        var scale = CompactCoClustering.Seed(ws, x, y, d, ix, iy, r, options.Gamma, options.SeedingSteps, rng, inner, centres);
        var blockFactors = CostFunction.IsSquaredEuclidean(options.Cost) ? null : ws;
        var (stepsQ, stepsR) = Sample(x, y, d, ix, iy, k, r, options, settings, seed, rng, centres, scale, inner, cancellationToken, blockFactors);
        HiRefProfile.Stop(HiRefProfile.Phase.Seeding, t0);
        return CompactCoClustering.Run(ws, ix.Length, k, r, settings with { Iterations = options.SampledStartSteps }, options.SinglePrecisionStallTolerance, seed, seeded: true, inner, cancellationToken, initialStepQ: stepsQ, initialStepR: stepsR);
    }
}
