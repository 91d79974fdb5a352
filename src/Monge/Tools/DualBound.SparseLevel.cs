using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;

namespace Monge.Tools;

/// <summary>The certificate's sparse level (lvl16, stop 26): see <see cref="SparseLevel"/>.</summary>
public sealed partial record DualBound
{
    /// <summary>The automatic sparse level's size (<see cref="SparseLevelSize"/> = −1) for the smaller cloud's n: a quarter
    /// of the points, at least 131 072 (stop 26, lvl16: 8 points per point of the default 16 384-point level) and at most
    /// 262 144 (stop 28, sparsemem: at 1 048 576 points in 16-D the bound 69.338449 → 69.401790, the stop-24 matching
    /// 1.055% → 0.963% certified, for 876.7 → 1 287.8 CPU-s and a 4.06 GB peak; docs/hiref.md "Stop 28 (sparsemem)").
    /// Between 524 288 and 1 048 576 points it grows with n (not measured there).</summary>
    internal static int SparseLevelAutoSize(int n) => Math.Clamp(n / 4, 131072, 262144);

    /// <summary>
    /// Points per side of the sparse level above the certificate's subsample level (default −1: automatic,
    /// <see cref="SparseLevelAutoSize"/> — 131 072 up to 524 288 points, a quarter of n above, 262 144 from 1 048 576 — above
    /// <see cref="AscentMaxPoints"/> points per side in dimension above <see cref="TreeMaxDimension"/> and not above
    /// <see cref="AscentExitMaxDimension"/> (where the ascent with exits is measured; 64-D is not), none otherwise; 0:
    /// none; a positive size: that size wherever a level is read, if larger than the level). When the first c-transforms
    /// read a level's potential on its own points (<see cref="LevelTransforms"/>) and both clouds are uniform with the
    /// squared Euclidean or Euclidean cost, a seeded sample of this many points per side (at most n) takes the level's
    /// potential by one c-transform (the warm start), is raised there by the sparse dual ascent with exits
    /// (<see cref="SparseAscent"/>, at most <see cref="SparseLevelPasses"/> passes), and its potential then replaces the
    /// level's for the full-size transforms. Valid for any potential: only the final transforms certify. Stop 26 (lvl16):
    /// on the 16-D mixture at n = 131 072 with a 2 048-point level (64 points per level point, as the 16 384-point level at
    /// 1 048 576) a sparse level of 16 384 raised the bound 0.455% for +3.2 CPU-s, of 65 536 0.666% for +54 CPU-s (under
    /// load; docs/hiref.md).
    /// </summary>
    internal int SparseLevelSize { get; init; } = -1;

    /// <summary>Most ascent passes on the sparse level (default 3; each stops early below a 10⁻³ relative gain as
    /// <see cref="AscentExitPasses"/>; 0: the lifted potential alone).</summary>
    internal int SparseLevelPasses { get; init; } = 3;

    /// <summary>
    /// The level's potential lifted to a finer, uniform sample of <see cref="SparseLevelSize"/> points per side and raised
    /// there by the sparse dual ascent (candidate graphs of the k best reduced costs, an auction with exits, bids within
    /// <see cref="AscentBids"/> per row and pass: O(S·k) per pass instead of the dense level's S²): v = F^c over the
    /// sample's targets from the level's sources, u = v^c over the sample (rigorous), then the ascent. Returns the sample
    /// as the new level (its potentials and uniform weights) and the sample problem's bound before and after each pass
    /// (a bound on the sample's own assignment, diagnostics only), or the level itself when the sparse level does not apply.
    /// </summary>
    private (Level Level, IReadOnlyList<double> Bounds) SparseLevel(PointCloud<double> source, PointCloud<double> target, double[] a, double[] b, ICostFunction<double>? cost, Level level, CancellationToken cancellationToken)
    {
        var n = source.Count;
        var m = target.Count;
        var requested = SparseLevelSize >= 0 ? SparseLevelSize
            : AscentMaxPoints >= 0 && Math.Min(n, m) > AscentMaxPoints && source.Dimension > TreeMaxDimension
              && (AscentExitMaxDimension < 0 || source.Dimension <= AscentExitMaxDimension) ? SparseLevelAutoSize(Math.Min(n, m)) : 0;
        var size = Math.Min(requested, Math.Min(n, m));
        if (requested <= 0 || size <= Math.Max(level.Rows.Length, level.Cols.Length) || size < 2 || !Uniform(a) || !Uniform(b)
            || cost is not (null or SquaredEuclidean<double> or Euclidean<double>))
        {
            return (level, []);
        }

        // Its own seeded stream (not the level's): the level's sample is unchanged whether the sparse level runs or not.
        var rng = new Random(unchecked((Seed * 31) + 26));
        var rows = CoarseCells.Sample(rng, n, size);
        var cols = CoarseCells.Sample(rng, m, size);
        var fineSource = source.Subset(rows);
        var fineTarget = target.Subset(cols);
        var uniform = Marginals.Uniform<double>(size);
        var euclidean = cost is Euclidean<double>;
        var transforms = UseTrees(size, size, source.Dimension, cost)
            ? (ILevelTransforms)TreeTransforms.For(fineSource, fineTarget, euclidean, euclidean ? EuclideanTreeSlack : SquaredTreeSlack, SquaredTreeCurvature, cancellationToken, SquaredTreeNodeFits)
            : ClusterTransforms.For(fineSource, fineTarget, euclidean, BallPoints(cost), SingleTransforms, QueryScreen, cancellationToken);

        // The warm start: the level's source potential, c-transformed onto the sample's targets, then back (rigorous).
        var lifted = CertifyCore(transforms, uniform, uniform, null, fromSource: true, source.Subset(level.Rows), level);
        if (SparseLevelPasses <= 0)
        {
            return (new Level(rows, cols, lifted.F, lifted.G, uniform, uniform), [lifted.LowerBound]);
        }

        // The ascent with exits at any size and dimension (it ends on any graph), not skipped by a known cost (that is the
        // full problem's, not the sample's).
        var ascent = this with
        {
            AscentMaxPoints = -1,
            AscentExitPoints = 0,
            AscentExitMaxDimension = -1,
            AscentExitPasses = SparseLevelPasses,
            AscentExitFirstGain = 0,
            UpperBound = double.NaN,
        };
        var raised = ascent.SparseAscent(fineSource, fineTarget, uniform, uniform, cost, transforms, lifted, cancellationToken);
        IReadOnlyList<double> bounds = raised.AscentBounds.Count > 0 ? raised.AscentBounds : [lifted.LowerBound];
        return (new Level(rows, cols, raised.F, raised.G, uniform, uniform), bounds);
    }
}
