using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;

namespace Monge.Tools;

/// <summary>
/// A certified lower bound on the optimal transport cost between two point clouds — and so on the optimal assignment
/// cost of two n-point sets — in linear memory, from entropic dual potentials made feasible by c-transforms. With it a
/// matching (for example from <see cref="HierarchicalRefinement"/>) carries a certificate "within X% of optimal"
/// without an exact solve.
/// </summary>
/// <remarks>
/// <para>
/// Weak duality: for any u, v with u_i + v_j ≤ C_ij on the supports, Σ a_i u_i + Σ b_j v_j ≤ min_P ⟨C, P⟩. The potentials
/// come from <see cref="Sinkhorn"/> at a small ε (float32 by default, ε-scaling, online point-cloud geometry); the
/// c-transforms v_j = min_i (C_ij − u_i), then u_i = min_j (C_ij − v_j) are computed in float64 and make them feasible
/// whatever the Sinkhorn accuracy: convergence only makes the bound tighter, never invalid. Both orders (from f and from
/// g) are tried and the larger bound is kept, except on the cluster path above dimension 6, where the order from f alone
/// runs (the order from g raised the bound there by at most 3·10⁻⁶ relative in the cases measured). For a converged
/// Sinkhorn the bound is at most ε·log(1/min a) below the optimum (ε·log n for uniform weights; with both orders, the
/// smaller of the two sides' logs); in practice far less.
/// </para>
/// <para>
/// Small problems (at most <see cref="ExactMaxPairs"/> pairs, 4096² by default, every cost finite) take their starting
/// potentials from an exact solve instead: the network simplex on the float64 cost matrix, whose optimal duals the
/// c-transforms (float64 on every path) make rigorous, so the bound is the optimum up to rounding. In high dimension
/// Sinkhorn's potentials lose about ε·log(partners within ε of the best) to the entropy: on a 30-D single-cell pair of
/// 3000 points the Sinkhorn path certified 3.53% below the optimum (74.308 against 77.031) in 5.0 CPU-s, the exact duals
/// the optimum itself in 1.1 CPU-s (under load, stop 20). Memory: the n·m doubles of the matrix.
/// </para>
/// <para>
/// Large problems (more than <see cref="CoarseSize"/> points on a side) are solved coarse to fine: the network simplex
/// (up to <see cref="CoarseExactMaxPairs"/> pairs, else Sinkhorn) solves a seeded random subsample of
/// <see cref="CoarseSize"/> points per side, each carrying the total weight of its cell (the points nearest to it), and
/// both potentials are extended to every point by one soft c-transform over the subsample.
/// Up to <see cref="RefineMaxPairs"/> pairs, <see cref="RefineIterations"/> full-size Sinkhorn iterations (through
/// <see cref="CostGeometry{T}.SoftMin"/>) follow. Above it the refinement, quadratic in n, is skipped: in low dimension
/// it moved the bound by at most 0.01% (2-D pairs, n = 8192); in higher dimension (above the tree dimension, 6) it is
/// worth 0.3% (16-D mixture, n = 8192), so there the subsample is √<see cref="RefineMaxPairs"/> points, whose
/// potentials come from this same method (coarse solve, then the dense refinement at that size). On that path (the
/// cluster c-transforms) the first c-transform of each order reads the medium level's potential on its own points — a
/// semi-discrete transform over the subsample, v_j = min over the level's sources of (c(x_i, y_j) − f_i) — instead of an
/// extension to every point: no O(n·s·d) soft extensions and one full-size transform per order instead of two. Only the
/// second transform must be rigorous, since (v^c, v) is feasible for any v; the bound is 0.02% lower at n = 32 768 and
/// 0.05% lower at 131 072 on the 16-D mixture (cert1m, stop 22).
/// The coarse solve (and a direct solve of at most 2048² pairs) reads a stored matrix for every cost but the squared
/// Euclidean one, whose point-cloud soft-min is fused: 2·s² values, filled once, instead of one cost evaluation (with a
/// root for the Euclidean cost) per pair and iteration.
/// The cell weights matter: with plain subsample weights the coarse problem misjudges cluster masses and the bound lost
/// 1.2% on 8 Gaussians → moons at n = 4096 (512 coarse points), against 0.04% with cell weights.
/// </para>
/// <para>
/// The c-transforms of squared Euclidean and Euclidean problems in dimension ≤ 6 with at least 2048² pairs run by
/// branch and bound on k-d trees (<c>DualBoundTree</c>): exact minima (a subtree is skipped only when a bound valid for
/// every point in it, with a margin for its own rounding, exceeds the best value found), less a rounding allowance of
/// (2d + 16)·2⁻⁵² of the magnitudes, so that u_i + v_j ≤ c(x_i, y_j) holds in exact arithmetic for the float64 inputs;
/// the bound also subtracts the rounding of its own sum, (n + m + 4)·2⁻⁵² of Σ |a u| + Σ |b v|. Above dimension 6 the same
/// two costs take cluster screening instead (<c>DualBoundClusters</c>): balls of 64 points (256 for the Euclidean cost)
/// of each cloud (centre and radius), a ball skipped when a lower bound of c(x, y) − h valid for all its points (the
/// ball distance, with an affine majorant of h over the ball) exceeds the best value found, the rest evaluated with SIMD; the minima are exact and
/// the same rounding allowance makes the result rigorous. By default those high-dimensional transforms run in float32
/// tiles (<c>DualBoundClusters.TransformTiles</c>): a ball of queries against whole balls of points, evaluated
/// GEMM-style as ‖y‖² + (‖x‖² − h) − 2⟨x, y⟩ on both clouds shifted by their common mean, less a derived allowance of
/// 2⁻²³·[(d + 16)(max ‖x̃‖² + ‖ỹ‖²) + 4·max |h|] per query (it covers the float32 rounding of the coordinates, the inner
/// product and the sums; the Euclidean cost takes the root of a lower bound of the squared distance), so still rigorous;
/// about 10⁻⁵ of the bound lost on the 16-D mixture. Every other case takes the float64 pass over every pair, each
/// minimum less the same (2d + 16)·2⁻⁵² allowance (d = 0 for a cost other than these two: rigorous with respect to its
/// float64 evaluation of C), and the bound the same allowance for its sum (certfeas, stop 28: before, the computed
/// minima of that pass were used as they were, and F_i + G_j exceeded c_ij by up to half an ulp).
/// </para>
/// <para>
/// Two uniform clouds of equal size up to 131 072 points (squared Euclidean or Euclidean) then get a sparse dual ascent
/// (realbnd, stop 24): the assignment on a graph of the k best reduced costs under the certified (u, v), both ways, is
/// solved by a warm ε-scaling auction and its prices go through the same rigorous c-transforms; the larger bound is kept.
/// On single-cell-like pairs at n = 16 384 it took the bound from 0.58% to 4·10⁻⁸ below the exact optimum (2-D
/// micrometres) and from 0.18% to 0.007% (30-D PCA), for about 2× and 1.1× the bound's CPU. Above 16 384 points (dimension
/// ≤ 6 only) the auction lets rows leave for their best column off the graph and up to six passes run (realasc, stop 25):
/// on the 2-D micrometre pair at 131 072 the bound rose 2.57% (the certified gap of HiRef's matching 3.29% → 0.70%) for
/// ≈ 54 CPU-s per pass. Memory: the graph, about 32·n edges (ints and doubles), and the balls of both clouds. Above
/// 131 072 points in dimension above 6, where it does not run, the same ascent raises the level's potential on a uniform
/// sample of 131 072 points per side (262 144 from 1 048 576 points) before the full-size transforms
/// (<see cref="SparseLevelSize"/>; lvl16, stop 26: +0.455% of bound for +23% CPU-s on a 1M-like 16-D proxy; stop 28: the
/// 16-D 1M bound +0.091% more with 262 144).
/// </para>
/// <para>
/// The tightness depends on ε relative to the optimum: ε is relative to the mean cost by default, so when the optimum
/// is much smaller than the mean cost (overlapping clouds) give a smaller or an absolute ε.
/// </para>
/// <para>
/// Units: the weights are normalized to mass one (uniform when a cloud has none), so for two clouds of n points the
/// bound is on min_σ (1/n) Σ c(x_i, y_σ(i)) — the quantity <see cref="HierarchicalRefinementResult.Cost"/>
/// and <see cref="LinearAssignmentResult.Cost"/> reports (<see cref="LinearAssignmentResult.TotalCost"/> is n times it). By Birkhoff's theorem the transport optimum of two uniform
/// n-point measures is attained at a permutation, so the bound holds for the assignment problem.
/// </para>
/// <para>
/// Cost: the Sinkhorn solve (two O(s²·d) soft-mins per iteration on s = min(n, CoarseSize) points, at most
/// <see cref="MaxIterations"/>), the cell assignment and extension (O((n + m)·s·d)), 2·<see cref="RefineIterations"/>
/// full O(n·m·d) soft-mins where n·m ≤ <see cref="RefineMaxPairs"/> (the same at the √RefineMaxPairs-point medium level
/// in high dimension), and four c-transforms: O((n + m)·log·d) tree searches in low dimension (130–200 pairs per query at
/// n = 32 768 in 2-D), float32 tiles in higher dimension (O(balls²·d) block bounds plus d fused multiply-adds per pair
/// of every block not skipped: at worst every pair, 8–16 pairs per instruction; on the 16-D mixture at n = 131 072 the
/// four transforms were about 40% of the certificate, the Sinkhorn stage the rest), otherwise four O(n·m·d) float64 passes; all parallel. Memory: O((n + m)·d) — the clouds in both
/// precisions and layouts, the trees (points in tree order and about n/6 boxes), potentials and O(tile) scratch per
/// worker; never n × m.
/// </para>
/// </remarks>
public sealed partial record DualBound
{
    private const int TileRows = 16;
    private const int TileColumns = 1024;
    private const long DenseMaxPairs = 2048L * 2048;

    /// <summary>The Sinkhorn ε, relative to <see cref="EpsilonRelativeTo"/> (default 1e-3 of the mean cost).</summary>
    public double Epsilon { get; init; } = 1e-3;

    /// <summary>
    /// What <see cref="Epsilon"/> multiplies (default the mean cost, one O(n·m·d) pass over the coarse sample or the full
    /// problem); when that statistic is 0 (all costs equal) <see cref="Epsilon"/> is used as an absolute value.
    /// </summary>
    public EpsilonReference EpsilonRelativeTo { get; init; } = EpsilonReference.MeanCost;

    /// <summary>ε-scaling of the Sinkhorn solve (default from 1000·ε with decay 0.9 per iteration: 66 warm-up iterations).</summary>
    public EpsilonScaling EpsilonScaling { get; init; } = new(1000, 0.9);

    /// <summary>Sinkhorn iteration budget (default 500). The bound is valid whether or not Sinkhorn converged.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>Sinkhorn stop threshold on the L1 marginal error (default 1e-4).</summary>
    public double Threshold { get; init; } = 1e-4;

    /// <summary>
    /// Above this many points per side (default 4096; 2048 before stop 23), the potentials come from a seeded subsample of
    /// this size (each point with its cell's mass), solved by the network simplex up to 4096² pairs (else Sinkhorn), then
    /// extended to every point and refined (<see cref="RefineIterations"/>); 0 always solves the full problem.
    /// </summary>
    public int CoarseSize { get; init; } = 4096;

    /// <summary>Full-size Sinkhorn iterations after the coarse solve (default 20; two O(n·m·d) soft-mins each), run only
    /// when n·m is at most <see cref="RefineMaxPairs"/>.</summary>
    public int RefineIterations { get; init; } = 20;

    /// <summary>
    /// Largest n·m for which the <see cref="RefineIterations"/> run (default 16 384², −1: always). Above it the coarse
    /// potentials go straight to the c-transforms: the refinement is quadratic (it was 80% of the certificate's 234 s at
    /// n = 131 072) and, measured on the 2-D quality pairs at n = 8192, moves the bound by at most 0.01% (half-moon →
    /// S-curve: 4.202733 without, 4.202704 with; 8 Gaussians → moons: 7.129047 vs 7.129672).
    /// </summary>
    public long RefineMaxPairs { get; init; } = 16384L * 16384;

    /// <summary>
    /// Problems with at least this many pairs n·m (default 2048², −1: never) take their c-transforms by branch and bound
    /// on k-d trees (<see cref="DualBoundTree"/>; squared Euclidean and Euclidean only) instead of a pass over every
    /// pair; exact minima, less a rigorous float64 rounding allowance.
    /// </summary>
    internal long TreeMinPairs { get; init; } = 2048L * 2048;

    /// <summary>
    /// Largest dimension for the tree c-transforms (default 6). Measured at n = 32 768: 2-D half-moon → S-curve evaluates
    /// 130–200 pairs per query (of 32 768); the 16-D Gaussian mixture 11 800 with scalar code, slower than the SIMD pass
    /// over every pair, since box bounds cannot separate points within one 16-D cluster.
    /// </summary>
    internal int TreeMaxDimension { get; init; } = 6;

    /// <summary>
    /// Points per ball of the cluster-screened c-transforms (<see cref="DualBoundClusters"/>), used above
    /// <see cref="TreeMaxDimension"/> for squared Euclidean and Euclidean problems with at least <see cref="TreeMinPairs"/>
    /// pairs (default −1: automatic, 64 for the squared cost — on the 16-D Gaussian mixture at n = 16 384 the block
    /// searches evaluated 60% of the pairs with 64-point balls, 73% with 256 and 69% with 16 — and 256 for the Euclidean
    /// cost, whose per-query screen spends per (query, ball) pair, not per point pair: stop 32, 16-D mixture at 262 144,
    /// the order from f 59.3 → 33.5 CPU-s (+23% of the point pairs evaluated, 48 325 → 59 520 per query), the
    /// certificate 393.8 → 332.8 CPU-s, the same bound; a positive value: that size for both costs; 0: never, the pass
    /// over every pair instead).
    /// </summary>
    internal int ClusterPoints { get; init; } = -1;

    /// <summary>The points per ball of the cluster transforms for this cost (<see cref="ClusterPoints"/>).</summary>
    private int BallPoints(ICostFunction<double>? cost) =>
        ClusterPoints > 0 ? ClusterPoints : CostFunction.IsSquaredEuclidean(cost) ? 64 : 256;

    /// <summary>
    /// Whether the cluster-screened c-transforms run in float32 tiles (<see cref="DualBoundClusters.TransformTiles"/>:
    /// ‖y‖² + (‖x‖² − h) − 2⟨x, y⟩ with a rigorous rounding allowance, blocks of queries against whole balls) instead of
    /// float64 per-query searches (default true).
    /// </summary>
    internal bool SingleTransforms { get; init; } = true;

    /// <summary>
    /// Whether the float32 squared Euclidean transforms use the per-query screen
    /// (<see cref="DualBoundClusters.TransformScreened"/>: a bound per query and ball from the transform at the query
    /// ball's centre) instead of the block screen of <see cref="DualBoundClusters.TransformTiles"/> (default true; the
    /// same values, so the same bound; cert16, stop 21: on the 16-D mixture the block screen evaluates 99% of the pairs).
    /// </summary>
    internal bool QueryScreen { get; init; } = true;

    /// <summary>
    /// Whether both orders of c-transforms run (from f and from g, the larger bound kept). False runs only the order from
    /// f: half the transforms. Default (null): both on the tree and dense paths, the order from f alone on the cluster path
    /// (above <see cref="TreeMaxDimension"/>), where the order from g did not raise the squared bound in any case measured
    /// (16-D and 64-D mixtures) and raised the Euclidean one by at most 3·10⁻⁶ relative (64-D at 131 072: 2.7·10⁻⁶,
    /// hirefcert, stop 19; 16-D at 131 072: 3.2·10⁻⁶, and nothing at 1 048 576, where it was 733 of the certificate's
    /// 2 233 CPU-s: stop 32, docs/hiref.md); the second order was ~20% of the certificate at n = 131 072. In 2-D the
    /// order from g does raise it (8 Gaussians → moons at 131 072: 7.107039 against 7.105789 from f) for ~25% of an already cheap certificate. On the Euclidean tree path above the refinement size
    /// (the level transforms) the order from f alone (stop 24, ecert: the order from g raised the bound by at most
    /// 4·10⁻⁷ relative on the four 2-D pairs at 131 072 and 1.3·10⁻⁶ at 1 048 576, for ~40% of the certificate).
    /// </summary>
    internal bool? BothOrders { get; init; }

    /// <summary>
    /// The Euclidean tree c-transforms' tolerance τ, relative to the diagonal of the box holding both clouds (default
    /// 1e-6; 0: exact minima): each transform value is the exact minimum less at most τ, still below it, so the bound stays
    /// rigorous and loses at most 2τ per order of transforms. The Euclidean pair values tie along transport rays (a
    /// potential of slope 1), so the exact search visits every leaf a ray crosses, ≈ √n per query: at n = 1 048 576 the
    /// checkerboard certificate took more than 5× its solve (docs/hiref.md, "Stop 24 (m1m)"). The squared cost is exact.
    /// </summary>
    internal double EuclideanTreeSlack { get; init; } = 1e-6;

    /// <summary>
    /// Whether the 2-D Euclidean tree path above the refinement size (the level transforms) bounds each node of the second
    /// transform of an order also by a cone majorant h_j ≤ ‖y_j − z‖ + β around the level point z that attains the first
    /// transform at the node's middle point (β exact over the node): the first transform is a minimum of such cones, so
    /// where a node lies in one cell the bound is tight, also on the transport rays where the values tie (stop 31, ecert;
    /// docs/hiref.md). The first transform then runs exact (τ = 0), so that its argmins give exact cones. Default true: at
    /// 262 144 the second transform's tree pairs per query fall 3–6× (MAF 2 421 → 406), the MAF certificate −27% CPU, and
    /// all four 2-D Euclidean bounds are slightly higher. The minima are exact either way; false: stop 30's searches.
    /// </summary>
    internal bool EuclideanTreeCones { get; init; } = true;

    /// <summary>
    /// The squared Euclidean tree c-transforms' tolerance τ, relative to the squared diagonal of the box holding both
    /// clouds (default 0: exact minima). As <see cref="EuclideanTreeSlack"/>: each value is the exact minimum less at most
    /// τ, so the bound stays rigorous and loses at most 2τ per order (stop 30, cert; docs/hiref.md).
    /// </summary>
    internal double SquaredTreeSlack { get; init; }

    /// <summary>
    /// Whether the squared Euclidean tree path above the refinement size takes the first c-transform of each order from
    /// the coarse level's own potential (as the Euclidean tree path does) instead of the soft extensions to every point
    /// (default true since stop 30, cert, with <see cref="SquaredTreeMixedOrders"/>: at 262 144 on checkerboard +0.086% of
    /// bound for −20% of the certificate's CPU; false: the soft extensions of both potentials; docs/hiref.md).
    /// </summary>
    internal bool SquaredTreeLevel { get; init; } = true;

    /// <summary>
    /// With <see cref="SquaredTreeLevel"/>: the order from g keeps the soft extension of g to every point (one extension
    /// instead of two), the order from f starts from the level; the larger bound is kept, so it is at least the larger of
    /// the level's order from f and the extension's order from g (default true, stop 30, cert: the level's order from g
    /// alone lost 1.8·10⁻⁴ of bound on 8 Gaussians → moons at 262 144, where the extension's order from g holds it;
    /// docs/hiref.md).
    /// </summary>
    internal bool SquaredTreeMixedOrders { get; init; } = true;

    /// <summary>
    /// Whether the squared Euclidean tree searches also bound each node by a majorant with the cost's curvature
    /// (<see cref="DualBoundTree.Transform"/>'s curvature; the same exact minima, fewer pairs evaluated where a potential is
    /// c-concave over coarse cells; default false; stop 30, cert; docs/hiref.md).
    /// </summary>
    internal bool SquaredTreeCurvature { get; init; }

    /// <summary>
    /// Whether the squared Euclidean tree searches fit the affine majorant's γ on every node (default true since stop 31,
    /// sqcert; false: nodes of at most 192 points take their parent's γ, as before). The same exact minima, so the same
    /// bound bit for bit; on checkerboard at 262 144 the pairs evaluated per query fall 458 → 106 (docs/hiref.md). The
    /// Euclidean tree path keeps the parent's γ.
    /// </summary>
    internal bool SquaredTreeNodeFits { get; init; } = true;

    /// <summary>
    /// Points per side of the medium level (between the coarse solve and the full problem, refined densely) used when the
    /// full-size refinement is skipped (default −1: √<see cref="RefineMaxPairs"/> above <see cref="TreeMaxDimension"/>,
    /// none below; 0 or at most <see cref="CoarseSize"/>: none). Its square must not exceed <see cref="RefineMaxPairs"/>
    /// (the level is refined densely; refused otherwise).
    /// </summary>
    internal int MediumSize { get; init; } = -1;

    /// <summary>
    /// Largest n·m for which the starting potentials come from an exact solve instead of Sinkhorn (default 4096²; −1:
    /// never): the network simplex on the float64 cost matrix (n·m doubles, 128 MiB at 4096²), whose optimal duals the
    /// c-transforms then make rigorous, so the bound is the optimum less its rounding allowance. Sinkhorn's potentials
    /// lose about ε·log(partners within ε) to the entropy, which is large in high dimension, where many partners have
    /// nearly the same cost: 3.48% on a 30-D single-cell pair of 3000 points at the default ε, 3.19% with 200 refinement
    /// iterations, more at a smaller ε (Sinkhorn does not converge there within its budget; stop 19, docs/hiref.md).
    /// The exact path is used only when every cost is finite; otherwise Sinkhorn runs as usual.
    /// </summary>
    internal long ExactMaxPairs { get; init; } = 4096L * 4096;

    /// <summary>
    /// Largest subsample problem (pairs, default 4096², −1: never) whose potentials come from the network simplex on its
    /// float64 cost matrix (128 MiB at 4096²) instead of Sinkhorn at the coarse level (<see cref="CoarseSize"/>); ε then
    /// serves only the extension and the refinement. Sinkhorn at the default ε ran to its budget on every single-cell-like
    /// pair (micrometre tissue coordinates, 30-D PCA); with the exact 4096-point level the bound at n = 16 384 lost 0.177%
    /// of the optimum in 30-D (0.396% before) and 0.58% in 2-D µm (0.81%) for about the same CPU (realcert, stop 23,
    /// docs/hiref.md).
    /// </summary>
    internal long CoarseExactMaxPairs { get; init; } = 4096L * 4096;

    /// <summary>
    /// Whether, on the cluster path (above <see cref="TreeMaxDimension"/>) when the potentials come from a subsample
    /// level without the full-size refinement, the first c-transform of each order reads the level's potential on its own
    /// points (a semi-discrete transform over the subsample) instead of its soft extension to every point (default true):
    /// no O(n·s·d) extensions and one full-size transform per order instead of two. Valid for any potential: only the
    /// second transform must be (and is) rigorous. Also on the Euclidean tree path (dimension ≤ 6) since stop 24: a tree
    /// over the level's points, queried by every point of the other cloud.
    /// </summary>
    internal bool LevelTransforms { get; init; } = true;

    /// <summary>
    /// Most points per side over which the cell masses of the medium level (<see cref="MediumSize"/>) are counted (default 131 072, 8 per cell of the
    /// 16 384-point medium level; −1: every point): above it, a seeded sample of this many points (with their weights)
    /// stands for the cloud. Any masses give a valid bound (the c-transforms make any potential feasible); fewer points
    /// only make the level's masses noisier (16-D mixture, n = 131 072: 2 points per cell lose 0.063% of the bound). The
    /// cells over every point cost O(n·16 384·d), ≈ 215 CPU-s at n = 1 048 576 (cert1m, stop 22).
    /// </summary>
    internal int CellMaxPoints { get; init; } = 131072;

    /// <summary>Seed of the coarse subsample.</summary>
    public int Seed { get; init; }

    /// <summary>Solve Sinkhorn in float32 (default true; about twice as fast); the c-transforms are always float64.</summary>
    public bool SinglePrecision { get; init; } = true;

    /// <summary>Computes the bound for two weighted point clouds with any ground cost the point-cloud geometry supports.</summary>
    /// <param name="source">Source points (weights normalized; uniform when absent).</param>
    /// <param name="target">Target points, same dimension.</param>
    /// <param name="cost">Any ground cost (null: squared Euclidean). Squared Euclidean and Euclidean use SIMD difference
    /// kernels; other costs go through <see cref="PointCloudGeometry{T}"/> (one evaluation per pair). With
    /// <see cref="SinglePrecision"/> the built-in costs have float32 counterparts; a custom cost needs
    /// <see cref="SinglePrecision"/> = false.</param>
    /// <param name="progress">Receives the Sinkhorn progress, then "certify" 0, 1, 2 of 2 (before, between and after the two orders of c-transforms).</param>
    /// <param name="cancellationToken">Cancels the work (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The bound, its potentials and diagnostics.</returns>
    /// <exception cref="InputValidationException">Dimension mismatch, invalid weights or options.</exception>
    public DualBoundResult Compute(
        PointCloud<double> source,
        PointCloud<double> target,
        ICostFunction<double>? cost = null,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        Validate();
        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Source points have dimension {source.Dimension} but target points have {target.Dimension}.", nameof(target));
        }

        var a = source.NormalizedWeights();
        var b = target.NormalizedWeights();
        var geometry64 = CreateGeometry(source, target, cost);
        var sinkhorn = new Sinkhorn
        {
            Epsilon = Epsilon,
            EpsilonRelativeTo = EpsilonRelativeTo,
            EpsilonScaling = EpsilonScaling,
            MaxIterations = MaxIterations,
            Threshold = Threshold,
        };

        var clock = Stopwatch.StartNew();
        double[]? f, g;
        double eps;
        Convergence convergence;
        Level? level = null;
        // The same options are refused whatever the size: a cost without a float32 counterpart needs SinglePrecision = false
        // even where the exact path would not use it.
        var cost32 = SinglePrecision ? Convert(cost) : null;
        var exact = ExactPotentials(geometry64, a, b, ExactMaxPairs, cancellationToken);
        var clusters = UseClusters(source.Count, target.Count, source.Dimension, cost);
        // The level transforms: on the cluster path, and on the Euclidean tree path (stop 24, m1m: at n = 1 048 576 the soft
        // extensions of the checkerboard certificate were ≈ 130 CPU-s and the two full-size first transforms ≈ 210 more).
        var squaredLevel = SquaredTreeLevel && CostFunction.IsSquaredEuclidean(cost) && UseTrees(source.Count, target.Count, source.Dimension, cost);
        var extend = !(LevelTransforms && (clusters || squaredLevel || (cost is Euclidean<double> && UseTrees(source.Count, target.Count, source.Dimension, cost))));
        var extendTarget = squaredLevel && SquaredTreeMixedOrders;
        if (exact is { } solved)
        {
            (f, g, convergence) = solved;
            eps = 0;
        }
        else if (SinglePrecision)
        {
            (f, g, eps, convergence, level) = SolvePotentials(source.Convert<float>(), target.Convert<float>(), Cast<double, float>(a), Cast<double, float>(b), cost32, sinkhorn, progress, extend, cancellationToken, extendTarget);
        }
        else
        {
            (f, g, eps, convergence, level) = SolvePotentials(source, target, a, b, cost, sinkhorn, progress, extend, cancellationToken, extendTarget);
        }

        cancellationToken.ThrowIfCancellationRequested();
        // A finer level, raised by the sparse ascent, in place of the level's own potential (SparseLevelSize; lvl16).
        IReadOnlyList<double> levelBounds = [];
        if (level is not null && SparseLevelSize != 0)
        {
            (level, levelBounds) = SparseLevel(source, target, a, b, cost, level, cancellationToken);
        }

        var sinkhornElapsed = clock.Elapsed;
        clock.Restart();
        var entropicDual = level is { } lv
            ? TensorPrimitives.Dot<double>(lv.A, lv.F) + TensorPrimitives.Dot<double>(lv.B, lv.G)
            : TensorPrimitives.Dot<double>(a, f!) + TensorPrimitives.Dot<double>(b, g!);

        // Both orders: (v = f^c, u = v^c) and (u = g^c, v = u^c); keep the larger bound (by default the first alone on the
        // cluster path for the squared cost and on the Euclidean tree path above the refinement size: see BothOrders).
        var transforms = UseTrees(source.Count, target.Count, source.Dimension, cost)
            ? (ICTransforms)TreeTransforms.For(source, target, !CostFunction.IsSquaredEuclidean(cost), CostFunction.IsSquaredEuclidean(cost) ? SquaredTreeSlack : EuclideanTreeSlack, SquaredTreeCurvature, cancellationToken, SquaredTreeNodeFits).WithCones(EuclideanTreeCones)
            : clusters
                ? ClusterTransforms.For(source, target, !CostFunction.IsSquaredEuclidean(cost), BallPoints(cost), SingleTransforms && exact is null, QueryScreen, cancellationToken)
                : new DenseTransforms(geometry64, cancellationToken);
        progress?.Report(new SolverProgress("certify", 0, 2, double.NaN));
        var fromSource = CertifyCore(transforms, a, b, f, fromSource: true, level is null ? null : source.Subset(level.Rows), level);
        progress?.Report(new SolverProgress("certify", 1, 2, fromSource.LowerBound));
        // The mixed orders (SquaredTreeMixedOrders): the order from g from its soft extension, not from the level.
        var targetLevel = g is null ? level : null;
        var fromTarget = exact is null && (BothOrders ?? DefaultBothOrders(transforms, cost, level is not null))
            ? CertifyCore(transforms, a, b, g, fromSource: false, targetLevel is null ? null : target.Subset(targetLevel.Cols), targetLevel)
            : fromSource;
        var best = fromSource.LowerBound >= fromTarget.LowerBound ? fromSource : fromTarget;
        if (exact is null)
        {
            best = SparseAscent(source, target, a, b, cost, transforms, best, cancellationToken);
        }

        progress?.Report(new SolverProgress("certify", 2, 2, best.LowerBound));
        return best with
        {
            Epsilon = eps,
            EntropicDual = entropicDual,
            SinkhornConvergence = convergence,
            SinkhornElapsed = sinkhornElapsed,
            CertifyElapsed = clock.Elapsed,
            LevelBounds = levelBounds,
        };
    }

    /// <summary>
    /// The default of <see cref="BothOrders"/>: the order from f alone on the cluster path and on the Euclidean tree path
    /// above the refinement size (level transforms), both orders otherwise.
    /// </summary>
    private static bool DefaultBothOrders(ICTransforms transforms, ICostFunction<double>? cost, bool level) => transforms switch
    {
        ClusterTransforms => false,
        TreeTransforms => !level || CostFunction.IsSquaredEuclidean(cost),
        _ => true,
    };

    /// <summary>
    /// The optimal duals of the problem by the network simplex on its float64 cost matrix when it has at most
    /// <see cref="ExactMaxPairs"/> pairs and every cost is finite, else null. Not converged (pivot budget) still returns the
    /// last potentials: the c-transforms make any potential feasible.
    /// </summary>
    private static (double[] F, double[] G, Convergence Convergence)? ExactPotentials<T>(CostGeometry<T> geometry, T[] weightsA, T[] weightsB, long maxPairs, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = geometry.Rows;
        var cols = geometry.Cols;
        if (maxPairs < 0 || (long)rows * cols > maxPairs)
        {
            return null;
        }

        var a = Cast<T, double>(weightsA);
        var b = Cast<T, double>(weightsB);
        var matrix = new double[(long)rows * cols];
        var finite = true;
        Parallel.For(0, (rows + TileRows - 1) / TileRows, new ParallelOptions { CancellationToken = cancellationToken }, block =>
        {
            var i0 = block * TileRows;
            var count = Math.Min(TileRows, rows - i0);
            var tile = matrix.AsSpan(i0 * cols, count * cols);
            if (typeof(T) == typeof(double))
            {
                geometry.FillCostBlock(i0, count, 0, cols, MemoryMarshal.Cast<double, T>(tile));
            }
            else
            {
                var narrow = new T[count * cols];
                geometry.FillCostBlock(i0, count, 0, cols, narrow);
                for (var k = 0; k < narrow.Length; k++)
                {
                    tile[k] = double.CreateTruncating(narrow[k]);
                }
            }

            foreach (var value in tile)
            {
                if (!double.IsFinite(value))
                {
                    finite = false;
                }
            }
        });
        if (!finite)
        {
            return null;
        }

        // a and b are normalized (each sums to one up to rounding).
        var result = new NetworkSimplex { NormalizeMasses = true }.Solve(matrix, a, b, null, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var value in result.SourcePotentials)
        {
            if (!double.IsFinite(value))
            {
                return null;
            }
        }

        return (result.SourcePotentials, result.TargetPotentials, result.Convergence);
    }

    /// <summary>
    /// The certificate's Sinkhorn stage alone: entropic potentials (f, g) on every point (coarse solve, extension and,
    /// where it runs, the refinement), not feasible (no c-transforms), for callers that want a cheap global potential
    /// (for example to seed a sparse refinement of a matching). Costs the Sinkhorn part of <see cref="Compute"/>: on the
    /// 16-D mixture at n = 131 072 about 60% of the certificate; in dimension ≤ 6 only the coarse solve and the O((n + m)·s·d)
    /// extension.
    /// </summary>
    internal (double[] F, double[] G, double Epsilon) Potentials(PointCloud<double> source, PointCloud<double> target, ICostFunction<double>? cost = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        Validate();
        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Source points have dimension {source.Dimension} but target points have {target.Dimension}.", nameof(target));
        }

        var a = source.NormalizedWeights();
        var b = target.NormalizedWeights();
        var sinkhorn = new Sinkhorn { Epsilon = Epsilon, EpsilonRelativeTo = EpsilonRelativeTo, EpsilonScaling = EpsilonScaling, MaxIterations = MaxIterations, Threshold = Threshold };
        var (f, g, eps, _) = SinglePrecision
            ? SolvePotentials(source.Convert<float>(), target.Convert<float>(), Cast<double, float>(a), Cast<double, float>(b), Convert(cost), sinkhorn, null, cancellationToken)
            : SolvePotentials(source, target, a, b, cost, sinkhorn, null, cancellationToken);
        return (f, g, eps);
    }

    /// <summary>
    /// Makes any source potential feasible and returns the bound it certifies: v_j = min_i (C_ij − u_i) over the support
    /// of a, then u_i = min_j (C_ij − v_j) over the support of b, bound Σ a_i u_i + Σ b_j v_j. Two float64 passes over C
    /// through <see cref="CostGeometry{T}.FillCostBlock"/> (parallel over row tiles, O(tile) scratch per worker).
    /// </summary>
    /// <param name="geometry">The cost (any geometry: dense, point cloud, low-rank).</param>
    /// <param name="a">Source weights (length Rows, non-negative, positive mass; normalized here).</param>
    /// <param name="b">Target weights (length Cols; the same total mass as <paramref name="a"/> up to 1e-6 relative).</param>
    /// <param name="sourcePotential">Any finite u (length Rows), for example Sinkhorn's f or an exact solver's row potentials.</param>
    /// <param name="cancellationToken">Checked between row tiles.</param>
    /// <returns>The bound and the feasible pair (u, v). Applying it to its own u returns the same bound (c-transforms are idempotent).</returns>
    /// <exception cref="InputValidationException">Wrong lengths, invalid weights or a non-finite potential.</exception>
    public static DualBoundResult FromPotential(CostGeometry<double> geometry, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> sourcePotential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var problem = new LinearProblem<double>(geometry, a.ToArray(), b.ToArray());
        CheckPotential(sourcePotential, geometry.Rows, nameof(sourcePotential));
        var clock = Stopwatch.StartNew();
        var an = Marginals.Normalized<double>(problem.A, "a");
        var bn = Marginals.Normalized<double>(problem.B, "b");
        return CertifyCore(new DenseTransforms(geometry, cancellationToken), an, bn, sourcePotential.ToArray(), fromSource: true) with { CertifyElapsed = clock.Elapsed };
    }

    /// <summary>Checks the options; called by <see cref="Compute(PointCloud{double}, PointCloud{double}, ICostFunction{double}, IProgress{SolverProgress}, CancellationToken)"/> before any work.</summary>
    /// <exception cref="InputValidationException">An option is out of range.</exception>
    public void Validate()
    {
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ε must be positive and finite (got {Epsilon}).", nameof(Epsilon));
        }

        if (!(Threshold > 0) || !double.IsFinite(Threshold))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The threshold must be positive and finite (got {Threshold}).", nameof(Threshold));
        }

        if (CoarseSize < 0 || CoarseSize == 1 || RefineIterations < 0)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"CoarseSize must be 0 or at least 2 and RefineIterations non-negative (got {CoarseSize}, {RefineIterations}).", nameof(CoarseSize));
        }

        // The medium level is solved by this same method: it must fall within the dense refinement (MediumSize² ≤
        // RefineMaxPairs), or its own medium level would be itself again, without end.
        if (MediumSize > CoarseSize && RefineIterations > 0 && RefineMaxPairs >= 0 && (long)MediumSize * MediumSize > RefineMaxPairs)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"MediumSize² must not exceed RefineMaxPairs (got MediumSize {MediumSize}, RefineMaxPairs {RefineMaxPairs}).", nameof(MediumSize));
        }

        if (ClusterPoints < -1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ClusterPoints must be -1 (automatic), 0 (never) or positive (got {ClusterPoints}).", nameof(ClusterPoints));
        }

        if (SparseLevelPasses < 0)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"SparseLevelPasses must be non-negative (got {SparseLevelPasses}).", nameof(SparseLevelPasses));
        }

        if (MaxIterations < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"MaxIterations must be at least 1 (got {MaxIterations}).", nameof(MaxIterations));
        }

        if (!(EuclideanTreeSlack >= 0) || !double.IsFinite(EuclideanTreeSlack))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"EuclideanTreeSlack must be non-negative and finite (got {EuclideanTreeSlack}).", nameof(EuclideanTreeSlack));
        }

        if (!(SquaredTreeSlack >= 0) || !double.IsFinite(SquaredTreeSlack))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"SquaredTreeSlack must be non-negative and finite (got {SquaredTreeSlack}).", nameof(SquaredTreeSlack));
        }

        if (!(AscentExitFirstGain >= 0) || !double.IsFinite(AscentExitFirstGain))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"AscentExitFirstGain must be non-negative and finite (got {AscentExitFirstGain}).", nameof(AscentExitFirstGain));
        }

        if (AscentWarBids < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"AscentWarBids must be at least 1 (got {AscentWarBids}).", nameof(AscentWarBids));
        }

        if (!(AscentSkipGap >= 0) || !double.IsFinite(AscentSkipGap) || double.IsInfinity(UpperBound))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"AscentSkipGap must be non-negative and finite and UpperBound finite or NaN (got {AscentSkipGap}, {UpperBound}).", nameof(AscentSkipGap));
        }

        new Sinkhorn { EpsilonScaling = EpsilonScaling, EpsilonRelativeTo = EpsilonRelativeTo }.Validate();
        if (!Enum.IsDefined(EpsilonRelativeTo))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown ε reference {EpsilonRelativeTo}.", nameof(EpsilonRelativeTo));
        }
    }

    /// <summary>
    /// Sinkhorn potentials (f, g) on the full problem: directly when it has at most <see cref="CoarseSize"/> points per
    /// side, otherwise from a seeded random subsample of that size, extended to every point by one soft c-transform and
    /// refined by <see cref="RefineIterations"/> full-size iterations at the target ε.
    /// </summary>
    private (double[] F, double[] G, double Epsilon, Convergence Convergence) SolvePotentials<T>(
        PointCloud<T> source,
        PointCloud<T> target,
        T[] a,
        T[] b,
        ICostFunction<T>? cost,
        Sinkhorn sinkhorn,
        IProgress<SolverProgress>? progress,
        CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (f, g, eps, convergence, _) = SolvePotentials(source, target, a, b, cost, sinkhorn, progress, extend: true, cancellationToken);
        return (f!, g!, eps, convergence);
    }

    /// <summary>
    /// <see cref="SolvePotentials{T}(PointCloud{T}, PointCloud{T}, T[], T[], ICostFunction{T}, Sinkhorn, IProgress{SolverProgress}, CancellationToken)"/>;
    /// with <paramref name="extend"/> false, a problem solved on a subsample without the full-size refinement returns
    /// that level (its points, cell weights and potentials) and no extension (F and G null): the certificate's first
    /// c-transforms then read the level's potentials on its own points (<see cref="Level"/>).
    /// </summary>
    private (double[]? F, double[]? G, double Epsilon, Convergence Convergence, Level? Level) SolvePotentials<T>(
        PointCloud<T> source,
        PointCloud<T> target,
        T[] a,
        T[] b,
        ICostFunction<T>? cost,
        Sinkhorn sinkhorn,
        IProgress<SolverProgress>? progress,
        bool extend,
        CancellationToken cancellationToken,
        bool extendTarget = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = source.Count;
        var m = target.Count;
        var geometry = CreateGeometry(source, target, cost);
        if (CoarseSize == 0 || (n <= CoarseSize && m <= CoarseSize))
        {
            var small = Materialized(geometry, cost);
            var options = sinkhorn with { Epsilon = AbsoluteEpsilon(small), EpsilonRelativeTo = EpsilonReference.Absolute };
            var direct = options.Solve(new LinearProblem<T>(small, a, b), progress, cancellationToken);
            return (Cast<T, double>(direct.F), Cast<T, double>(direct.G), direct.Epsilon, direct.Convergence, null);
        }

        // The level below: a seeded subsample of CoarseSize points per side solved by the library's Sinkhorn (ε-scaling,
        // budget; a relative ε is resolved there) or, for a problem too large to refine in high dimension, a subsample of
        // √RefineMaxPairs points whose potentials come from this same method (coarse solve and dense refinement there).
        var refine = RefineMaxPairs < 0 || (long)n * m <= RefineMaxPairs ? RefineIterations : 0;
        var medium = refine == 0 && RefineIterations > 0 && (MediumSize >= 0 ? MediumSize > CoarseSize : source.Dimension > TreeMaxDimension)
            ? (MediumSize >= 0 ? MediumSize : (int)Math.Min(int.MaxValue, Math.Sqrt(RefineMaxPairs)))
            : 0;
        var levelSize = Math.Max(CoarseSize, medium);
        var rng = new Random(Seed);
        var rows = CoarseCells.Sample(rng, n, Math.Min(levelSize, n));
        var cols = CoarseCells.Sample(rng, m, Math.Min(levelSize, m));
        var subSource = source.Subset(rows);
        var subTarget = target.Subset(cols);

        // Each subsample point carries the weight of its cell (the points whose nearest subsample point it is), so that
        // the smaller problem keeps the masses of clusters and regions; a plain subsample's weights do not, and Sinkhorn
        // at small ε corrects such large-scale imbalances only very slowly.
        // (The Euclidean cells are the squared Euclidean ones: the same nearest point, without a root per pair.)
        // Above CellMaxPoints points a side, the masses are those of a seeded sample of CellMaxPoints of its points (each
        // with its weight): the cells cost O(n·s·d), at n = 1 048 576 and s = 16 384 the largest part of the Sinkhorn stage.
        var cellCost = cost is Euclidean<T> ? null : cost;
        var subA = CellWeights(rng, source, subSource, a, cellCost, medium > 0);
        var subB = CellWeights(rng, target, subTarget, b, cellCost, medium > 0);
        T[] subF, subG;
        double epsilon;
        Convergence convergence;
        if (levelSize == CoarseSize)
        {
            var coarseGeometry = Materialized(CreateGeometry(subSource, subTarget, cost), cost);
            var coarseEpsilon = AbsoluteEpsilon(coarseGeometry);
            var coarseOptions = sinkhorn with { Epsilon = coarseEpsilon, EpsilonRelativeTo = EpsilonReference.Absolute };
            if (ExactPotentials(coarseGeometry, subA, subB, CoarseExactMaxPairs, cancellationToken) is { } exactCoarse)
            {
                // The weighted subsample's optimal duals (network simplex): converged at any cost scale, where Sinkhorn at
                // a small ε is not within its budget on clustered data (realcert, stop 23). ε is then only the extension's
                // and the refinement's.
                (subF, subG, epsilon, convergence) = (Cast<double, T>(exactCoarse.F), Cast<double, T>(exactCoarse.G), coarseEpsilon, exactCoarse.Convergence);
            }
            else
            {
                var coarse = coarseOptions.Solve(new LinearProblem<T>(coarseGeometry, subA, subB), progress, cancellationToken);
                (subF, subG, epsilon, convergence) = (coarse.F, coarse.G, coarse.Epsilon, coarse.Convergence);
            }
        }
        else
        {
            var inner = SolvePotentials(subSource, subTarget, subA, subB, cost, sinkhorn, progress, cancellationToken);
            (subF, subG, epsilon, convergence) = (Cast<double, T>(inner.F), Cast<double, T>(inner.G), inner.Epsilon, inner.Convergence);
        }

        var eps = T.CreateTruncating(epsilon);
        if (!extend && refine == 0)
        {
            // The level; with extendTarget also g extended to every target point (the mixed orders: SquaredTreeMixedOrders).
            double[]? extended = null;
            if (extendTarget)
            {
                var gt = new T[m];
                CreateGeometry(subSource, target, cost).SoftMin(subF, SinkhornState<T>.LogWeights(subA), eps, Axis.Columns, gt);
                extended = Cast<T, double>(gt);
            }

            return (null, extended, epsilon, convergence, new Level(rows, cols, Cast<T, double>(subF), Cast<T, double>(subG), Cast<T, double>(subA), Cast<T, double>(subB)));
        }

        // Extend both potentials by one soft c-transform over the subsample, with its weights (KL convention):
        // f_i = softmin_ε over the subsample targets of (C_ij − g_j), g_j = softmin_ε over the subsample sources of
        // (C_ij − f_i). O((n + m)·s·d).
        var f = new T[n];
        var g = new T[m];
        CreateGeometry(source, subTarget, cost).SoftMin(subG, SinkhornState<T>.LogWeights(subB), eps, Axis.Rows, f);
        CreateGeometry(subSource, target, cost).SoftMin(subF, SinkhornState<T>.LogWeights(subA), eps, Axis.Columns, g);
        if (refine == 0)
        {
            return (Cast<T, double>(f), Cast<T, double>(g), epsilon, convergence, null);
        }

        // Refine on the full problem with Sinkhorn's own step (KL convention: g = softmin_a(C − f), f = softmin_b(C − g)),
        // a fixed number of times: the bound needs no convergence check, and the error check would cost a pass.
        var full = new SinkhornState<T>(new LinearProblem<T>(geometry, a, b), EntropyConvention.KullbackLeibler, epsilon);
        f.CopyTo(full.F, 0);
        var softCols = new T[m];
        var softRows = new T[n];
        for (var t = 0; t < refine; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Sinkhorn.Step(full, eps, softCols, softRows);
            progress?.Report(new SolverProgress("refine", t + 1, refine, double.NaN));
        }

        return (Cast<T, double>(full.F), Cast<T, double>(full.G), epsilon, convergence, null);
    }

    /// <summary>
    /// The masses of the cells of <paramref name="level"/> in <paramref name="cloud"/> (<see cref="CoarseCells.Weights"/>),
    /// counted over every point, or, for a medium level (<paramref name="mediumLevel"/>), over a seeded sample of
    /// <see cref="CellMaxPoints"/> points (with their weights, the masses normalized to one) when the cloud has more.
    /// </summary>
    private T[] CellWeights<T>(Random rng, PointCloud<T> cloud, PointCloud<T> level, T[] weights, ICostFunction<T>? cellCost, bool mediumLevel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!mediumLevel || CellMaxPoints < 0 || cloud.Count <= CellMaxPoints)
        {
            return CoarseCells.Weights(CreateGeometry(cloud, level, cellCost), weights);
        }

        var rows = CoarseCells.Sample(rng, cloud.Count, CellMaxPoints);
        var sampled = new T[rows.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            sampled[k] = weights[rows[k]];
        }

        return CoarseCells.Weights(CreateGeometry(cloud.Subset(rows), level, cellCost), sampled);
    }

    /// <summary>
    /// The geometry as a stored matrix when it has at most <see cref="DenseMaxPairs"/> pairs and its cost has no fused
    /// point-cloud soft-min (every cost but the squared Euclidean one), else itself: the Sinkhorn solve then reads C from
    /// memory (the fused dense soft-min) instead of recomputing every pair at every iteration, one at a time or with a
    /// square root. On 2-D Euclidean half-moon → S-curve the coarse solve (2048², 500 iterations) was 90% of the certificate.
    /// Memory: the matrix and its transposed copy, 2·s² values (32 MiB in float32 at 2048²).
    /// </summary>
    private static CostGeometry<T> Materialized<T>(CostGeometry<T> geometry, ICostFunction<T>? cost)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (CostFunction.IsSquaredEuclidean(cost) || (long)geometry.Rows * geometry.Cols > DenseMaxPairs)
        {
            return geometry;
        }

        var matrix = new T[geometry.Rows * geometry.Cols];
        var rows = geometry.Rows;
        var cols = geometry.Cols;
        var finite = true;
        Parallel.For(0, (rows + TileRows - 1) / TileRows, block =>
        {
            var i0 = block * TileRows;
            var count = Math.Min(TileRows, rows - i0);
            var tile = matrix.AsSpan(i0 * cols, count * cols);
            geometry.FillCostBlock(i0, count, 0, cols, tile);
            foreach (var value in tile)
            {
                if (!T.IsFinite(value))
                {
                    finite = false;
                }
            }
        });
        return finite ? new DenseGeometry<T>(matrix, rows, cols, T.One, trusted: true) : geometry;
    }

    /// <summary>ε in cost units: <see cref="Epsilon"/> times the chosen statistic, or <see cref="Epsilon"/> itself when the statistic is 0 (all costs equal).</summary>
    private double AbsoluteEpsilon<T>(CostGeometry<T> geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (EpsilonRelativeTo == EpsilonReference.Absolute)
        {
            return Epsilon;
        }

        var stats = geometry.ComputeStatistics();
        var scale = EpsilonRelativeTo == EpsilonReference.MeanCost ? stats.Mean : stats.StandardDeviation;
        return scale > 0 && double.IsFinite(scale) ? Epsilon * scale : Epsilon;
    }

    /// <summary>Whether the c-transforms of an n × m problem with this cost go through <see cref="DualBoundTree"/>.</summary>
    internal bool UseTrees(int n, int m, int dimension, ICostFunction<double>? cost) =>
        TreeMinPairs >= 0 && (long)n * m >= TreeMinPairs && dimension <= TreeMaxDimension
        && (CostFunction.IsSquaredEuclidean(cost) || cost is Euclidean<double>);

    /// <summary>Whether the c-transforms of an n × m problem with this cost go through <see cref="DualBoundClusters"/>.</summary>
    internal bool UseClusters(int n, int m, int dimension, ICostFunction<double>? cost) =>
        ClusterPoints != 0 && TreeMinPairs >= 0 && (long)n * m >= TreeMinPairs && dimension > TreeMaxDimension
        && (CostFunction.IsSquaredEuclidean(cost) || cost is Euclidean<double>);

    /// <summary>
    /// One order of c-transforms from <paramref name="start"/> (on every point), or, with a <paramref name="level"/>, from
    /// the level's own potential on its subsample points (<paramref name="sample"/>, the level's points of the starting
    /// side): the first transform then runs over the subsample only. Only the second transform must be rigorous: (v^c, v)
    /// is feasible for any finite v, so the first may read any starting potential.
    /// </summary>
    private static DualBoundResult CertifyCore(ICTransforms transforms, double[] a, double[] b, double[]? start, bool fromSource, PointCloud<double>? sample = null, Level? level = null)
    {
        var n = a.Length;
        var m = b.Length;
        var u = new double[n];
        var v = new double[m];
        // A third transform would change nothing (h^ccc = h^c).
        if (fromSource)
        {
            // v = u0^c over supp a (or over the level's source points, with their cell weights as the support); u = v^c over supp b.
            if (level is not null)
            {
                ((ILevelTransforms)transforms).FromSample(sample!, Masked(level.F, level.A, new double[level.F.Length]), toTarget: true, v);
            }
            else
            {
                Masked(start!, a, u);
                transforms.ToTarget(u, v);
            }

            var vMasked = Masked(v, b, new double[m]);
            transforms.ToSource(vMasked, u);
        }
        else
        {
            // u = v0^c over supp b (or the level's target points); v = u^c over supp a.
            if (level is not null)
            {
                ((ILevelTransforms)transforms).FromSample(sample!, Masked(level.G, level.B, new double[level.G.Length]), toTarget: false, u);
            }
            else
            {
                Masked(start!, b, v);
                transforms.ToSource(v, u);
            }

            var uMasked = Masked(u, a, new double[n]);
            transforms.ToTarget(uMasked, v);
        }

        double bound = 0, magnitude = 0;
        for (var i = 0; i < n; i++)
        {
            bound += a[i] > 0 ? a[i] * u[i] : 0;
            magnitude += a[i] > 0 ? Math.Abs(a[i] * u[i]) : 0;
        }

        for (var j = 0; j < m; j++)
        {
            bound += b[j] > 0 ? b[j] * v[j] : 0;
            magnitude += b[j] > 0 ? Math.Abs(b[j] * v[j]) : 0;
        }

        // The transforms are rigorous; allow also for the rounding of this sum of n + m products and of the weights.
        bound -= SumAllowance(n + m, magnitude);

        return new DualBoundResult(bound, u, v);
    }

    /// <summary>The two c-transforms of one problem: v_j = min_i (C_ij − u_i) and u_i = min_j (C_ij − v_j), each less a
    /// rounding allowance (at most the minimum in exact arithmetic).</summary>
    private interface ICTransforms
    {
        void ToTarget(double[] u, double[] v);

        void ToSource(double[] v, double[] u);
    }

    /// <summary>Transforms that also take a potential on a subsample of one cloud (the level's points) to every point of
    /// the other: the first transform of each order when the level is not extended (<see cref="LevelTransforms"/>).</summary>
    private interface ILevelTransforms : ICTransforms
    {
        void FromSample(PointCloud<double> sample, double[] h, bool toTarget, double[] dst);
    }

    /// <summary>
    /// Every pair, in float64 tiles of any geometry, each minimum less the tree path's rounding allowance
    /// (<see cref="DualBoundTree.Allowance"/>; certfeas, stop 28). Before, the minima were returned as computed: the
    /// subtraction c − h rounds, so F_i + G_j exceeded the float64 c_ij by up to half an ulp of G_j on the minimising
    /// pairs. Now u_i + v_j ≤ c_ij holds in exact arithmetic for the real costs of the float64 inputs on the
    /// coordinate-difference geometry (squared Euclidean and Euclidean, d known), and for the geometry's own float64
    /// evaluation of C on any other geometry (d = 0: the subtraction's rounding only).
    /// </summary>
    private sealed class DenseTransforms(CostGeometry<double> geometry, CancellationToken cancellationToken) : ICTransforms
    {
        private readonly int _dimension = geometry is PointDifferenceGeometry<double> points ? points.Dimension : 0;

        public void ToTarget(double[] u, double[] v)
        {
            RowMin(geometry.Transpose(), u, v, cancellationToken);
            DualBoundTree.Allow(v, u, _dimension);
        }

        public void ToSource(double[] v, double[] u)
        {
            RowMin(geometry, v, u, cancellationToken);
            DualBoundTree.Allow(u, v, _dimension);
        }
    }

    /// <summary>Branch and bound on k-d trees over both clouds (squared Euclidean and Euclidean; see <see cref="DualBoundTree"/>).</summary>
    private sealed class TreeTransforms : ILevelTransforms
    {
        private readonly DualBoundTree _x;
        private readonly DualBoundTree _y;
        private readonly double[] _xData;
        private readonly double[] _yData;
        private readonly ParallelOptions _parallel;
        private readonly double _slack;

        private readonly bool _euclidean;
        private readonly bool _curvature;
        private bool _cones;
        private (DualBoundTree.Cones Cones, bool ToTarget)? _pending;

        private readonly bool _fitEveryNode;

        private TreeTransforms(DualBoundTree x, DualBoundTree y, double[] xData, double[] yData, ParallelOptions parallel, double slack, bool euclidean, bool curvature, bool fitEveryNode)
        {
            _fitEveryNode = fitEveryNode;
            _euclidean = euclidean;
            _curvature = curvature;
            _x = x;
            _y = y;
            _xData = xData;
            _yData = yData;
            _parallel = parallel;
            _slack = slack;
        }

        // relativeSlack: the transforms' τ relative to the diagonal of the box of both clouds (EuclideanTreeSlack), for the
        // squared cost relative to its square (SquaredTreeSlack, default 0: exact).
        // squaredNodeFits: the squared cost's searches fit γ on every node (SquaredTreeNodeFits); the Euclidean ones never.
        public static TreeTransforms For(PointCloud<double> source, PointCloud<double> target, bool euclidean, double relativeSlack, bool curvature, CancellationToken cancellationToken, bool squaredNodeFits = false)
        {
            var d = source.Dimension;
            var x = DualBoundTree.Build(source.Data, source.Count, d, euclidean);
            var y = DualBoundTree.Build(target.Data, target.Count, d, euclidean);
            var diagonal = relativeSlack > 0 ? Diagonal(source.Data, target.Data, d) : 0;
            var slack = relativeSlack > 0 ? relativeSlack * (euclidean ? diagonal : diagonal * diagonal) : 0;
            return new TreeTransforms(x, y, source.Data.ToArray(), target.Data.ToArray(), new ParallelOptions { CancellationToken = cancellationToken }, slack, euclidean, curvature, squaredNodeFits && !euclidean);
        }

        public void ToTarget(double[] u, double[] v) => _x.Transform(u, _yData, _y.Order, v, _parallel, _slack, _curvature, _fitEveryNode, TakeCones(toTarget: false));

        // A tree over the subsample (exact minima, with the same tolerance), queried by every point of the other cloud in
        // its tree order. With cones (EuclideanTreeCones), each query's argmin on the subsample becomes its apex for the
        // next transform from that cloud (the order's second).
        public void FromSample(PointCloud<double> sample, double[] h, bool toTarget, double[] dst)
        {
            var argmin = _cones ? new int[dst.Length] : null;
            // With cones the first transform is exact (τ = 0): its argmins are then the apexes of exact cones,
            // v_j = ‖y_j − z‖ − f_z, and the second transform's cone bounds are tight (with τ the argmin is only near-best
            // and β loose: MAF at 262 144, 719 against 406 pairs per query for 12 more on the first; stop 31, ecert).
            DualBoundTree.Build(sample.Data, sample.Count, sample.Dimension, _euclidean).Transform(h, toTarget ? _yData : _xData, (toTarget ? _y : _x).Order, dst, _parallel, _cones ? 0 : _slack, _curvature, _fitEveryNode, argmin: argmin);
            _pending = argmin is null ? null : (new DualBoundTree.Cones(sample.Data.ToArray(), argmin), toTarget);
        }

        public void ToSource(double[] v, double[] u) => _y.Transform(v, _xData, _x.Order, u, _parallel, _slack, _curvature, _fitEveryNode, TakeCones(toTarget: true));

        /// <summary>Whether the 2-D Euclidean searches also bound each node by a cone majorant around the argmins of the
        /// first transform (<see cref="EuclideanTreeCones"/>).</summary>
        public TreeTransforms WithCones(bool cones)
        {
            _cones = cones && _euclidean && _xData.Length == 2 * _x.Count;
            return this;
        }

        // The apexes left by FromSample for the transform from the cloud it wrote (toTarget: the potential on the target
        // points), once; any other transform gets none (any apexes would be valid, these are only tight for that one).
        private DualBoundTree.Cones? TakeCones(bool toTarget)
        {
            var pending = _pending;
            _pending = null;
            return pending is { } p && p.ToTarget == toTarget ? p.Cones : null;
        }

        // The diagonal of the box holding both clouds (row-major, d columns); 0 for empty or non-finite data.
        private static double Diagonal(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int d)
        {
            var lo = new double[d];
            var hi = new double[d];
            lo.AsSpan().Fill(double.PositiveInfinity);
            hi.AsSpan().Fill(double.NegativeInfinity);
            Extend(a, lo, hi);
            Extend(b, lo, hi);

            var sum = 0.0;
            for (var k = 0; k < d; k++)
            {
                sum += (hi[k] - lo[k]) * (hi[k] - lo[k]);
            }

            return double.IsFinite(sum) ? Math.Sqrt(sum) : 0;

            static void Extend(ReadOnlySpan<double> data, double[] lo, double[] hi)
            {
                for (var p = 0; p < data.Length; p++)
                {
                    var k = p % lo.Length;
                    lo[k] = Math.Min(lo[k], data[p]);
                    hi[k] = Math.Max(hi[k], data[p]);
                }
            }
        }
    }

    /// <summary>Cluster screening over balls of both clouds (squared Euclidean and Euclidean; see <see cref="DualBoundClusters"/>),
    /// in float32 tiles with a rigorous allowance or in float64 searches.</summary>
    private sealed class ClusterTransforms : ILevelTransforms
    {
        private readonly DualBoundClusters _x;
        private readonly DualBoundClusters _y;
        private readonly double[] _xData;
        private readonly double[] _yData;
        private readonly bool _single;
        private readonly bool _screen;
        private readonly ParallelOptions _parallel;
        private double[]? _shift;
        private int _ballPoints;
        private bool _euclidean;

        private ClusterTransforms(DualBoundClusters x, DualBoundClusters y, double[] xData, double[] yData, bool single, bool screen, ParallelOptions parallel)
        {
            _screen = screen;
            _x = x;
            _y = y;
            _xData = xData;
            _yData = yData;
            _single = single;
            _parallel = parallel;
        }

        public static ClusterTransforms For(PointCloud<double> source, PointCloud<double> target, bool euclidean, int ballPoints, bool single, bool screen, CancellationToken cancellationToken)
        {
            var d = source.Dimension;
            var x = DualBoundClusters.Build(source.Data, source.Count, d, euclidean, ballPoints);
            var y = DualBoundClusters.Build(target.Data, target.Count, d, euclidean, ballPoints);
            if (single)
            {
                // One common shift (the mean of all points) keeps the float32 norms, and so the allowance, small.
                var shift = new double[d];
                foreach (var cloud in new[] { source, target })
                {
                    var data = cloud.Data;
                    for (var i = 0; i < cloud.Count; i++)
                    {
                        for (var k = 0; k < d; k++)
                        {
                            shift[k] += data[(i * d) + k];
                        }
                    }
                }

                for (var k = 0; k < d; k++)
                {
                    shift[k] /= source.Count + target.Count;
                }

                x.PrepareSingle(shift);
                y.PrepareSingle(shift);
                return new ClusterTransforms(x, y, source.Data.ToArray(), target.Data.ToArray(), single, screen, new ParallelOptions { CancellationToken = cancellationToken })
                {
                    _shift = shift,
                    _ballPoints = ballPoints,
                    _euclidean = euclidean,
                };
            }

            return new ClusterTransforms(x, y, source.Data.ToArray(), target.Data.ToArray(), single, screen, new ParallelOptions { CancellationToken = cancellationToken })
            {
                _ballPoints = ballPoints,
                _euclidean = euclidean,
            };
        }

        /// <summary>
        /// The c-transform of a potential <paramref name="h"/> on a subsample of one cloud (<paramref name="sample"/>) to
        /// every point of the other cloud (the targets when <paramref name="toTarget"/>): balls over the subsample, the
        /// same screened float32 transform (or the float64 searches).
        /// </summary>
        public void FromSample(PointCloud<double> sample, double[] h, bool toTarget, double[] dst)
        {
            var balls = DualBoundClusters.Build(sample.Data, sample.Count, sample.Dimension, _euclidean, _ballPoints);
            var queries = toTarget ? _y : _x;
            if (_single && _shift is not null)
            {
                balls.PrepareSingle(_shift);
                if ((_screen && (balls.TransformScreened(h, queries, dst, _parallel) || balls.TransformScreenedEuclidean(h, queries, dst, _parallel))) || balls.TransformTiles(h, queries, dst, _parallel))
                {
                    return;
                }
            }

            balls.Transform(h, toTarget ? _yData : _xData, queries.Order, dst, _parallel);
        }

        public void ToTarget(double[] u, double[] v)
        {
            if (!_single || !((_screen && (_x.TransformScreened(u, _y, v, _parallel) || _x.TransformScreenedEuclidean(u, _y, v, _parallel))) || _x.TransformTiles(u, _y, v, _parallel)))
            {
                _x.Transform(u, _yData, _y.Order, v, _parallel);
            }
        }

        public void ToSource(double[] v, double[] u)
        {
            if (!_single || !((_screen && (_y.TransformScreened(v, _x, u, _parallel) || _y.TransformScreenedEuclidean(v, _x, u, _parallel))) || _y.TransformTiles(v, _x, u, _parallel)))
            {
                _y.Transform(v, _xData, _x.Order, u, _parallel);
            }
        }
    }

    /// <summary>dst = h where the weight is positive, −∞ elsewhere (so that C − h = +∞ drops out of the minimum).</summary>
    private static double[] Masked(ReadOnlySpan<double> h, ReadOnlySpan<double> weights, double[] dst)
    {
        for (var k = 0; k < dst.Length; k++)
        {
            dst[k] = weights[k] > 0 ? h[k] : double.NegativeInfinity;
        }

        return dst;
    }

    /// <summary>The rounding allowance of a float64 sum of <paramref name="terms"/> products (each within 2⁻⁵² of its
    /// magnitude; the running sum within terms·2⁻⁵³ of the total): (terms + 4)·2⁻⁵² of <paramref name="magnitude"/>, the sum of
    /// the terms' absolute values. A dual bound Σ a u + Σ b v less this is at most the exact sum of the float64 terms.</summary>
    internal static double SumAllowance(int terms, double magnitude) => (terms + 4) * Math.ScaleB(1.0, -52) * magnitude;

    /// <summary>dst_i = min_j (C_ij − h_j): the c-transform along the rows of <paramref name="geometry"/>, in float64 tiles
    /// (parallel over tiles of rows; each minimum is order-free, so the same whatever the thread count). Also
    /// <see cref="LinearAssignment.LowerBound(LinearProblem{double}, LinearAssignmentResult, CancellationToken)"/>'s transform.</summary>
    internal static void RowMin(CostGeometry<double> geometry, double[] h, double[] dst, CancellationToken cancellationToken)
    {
        var rows = geometry.Rows;
        var cols = geometry.Cols;
        var blocks = (rows + TileRows - 1) / TileRows;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, blocks, options, () => (new double[TileRows * Math.Min(TileColumns, cols)], new double[Math.Min(TileColumns, cols)]), (block, _, scratch) =>
        {
            var (tile, diff) = scratch;
            var i0 = block * TileRows;
            var count = Math.Min(TileRows, rows - i0);
            Span<double> best = stackalloc double[TileRows];
            best.Fill(double.PositiveInfinity);
            for (var j0 = 0; j0 < cols; j0 += TileColumns)
            {
                var w = Math.Min(TileColumns, cols - j0);
                geometry.FillCostBlock(i0, count, j0, w, tile);
                var hs = h.AsSpan(j0, w);
                var t = diff.AsSpan(0, w);
                for (var r = 0; r < count; r++)
                {
                    TensorPrimitives.Subtract(tile.AsSpan(r * w, w), hs, t);
                    best[r] = Math.Min(best[r], TensorPrimitives.Min<double>(t));
                }
            }

            best[..count].CopyTo(dst.AsSpan(i0, count));
            return scratch;
        }, _ => { });
    }

    private static CostGeometry<T> CreateGeometry<T>(PointCloud<T> source, PointCloud<T> target, ICostFunction<T>? cost)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        return cost switch
        {
            null or SquaredEuclidean<T> when typeof(T) == typeof(float) => new PointCloudGeometry<T>(source, target),
            null or SquaredEuclidean<T> => new PointDifferenceGeometry<T>(source, target, euclidean: false),
            Euclidean<T> => new PointDifferenceGeometry<T>(source, target, euclidean: true),
            _ => new PointCloudGeometry<T>(source, target, cost),
        };
    }

    private static ICostFunction<float>? Convert(ICostFunction<double>? cost) => cost switch
    {
        null or SquaredEuclidean<double> => null,
        Euclidean<double> => new Euclidean<float>(),
        PNormPower<double> p => new PNormPower<float>(p.P == 0 ? 2 : p.P),
        Cosine<double> c => c.Equals(default(Cosine<double>)) ? default(Cosine<float>) : new Cosine<float>(c.Ridge),
        NegativeDotProduct<double> => new NegativeDotProduct<float>(),
        _ => throw new InputValidationException(
            InputProblem.InvalidParameter,
            $"The cost {cost.GetType().Name} has no float32 counterpart; set SinglePrecision = false.",
            nameof(cost)),
    };

    private static void CheckPotential(ReadOnlySpan<double> potential, int length, string name)
    {
        if (potential.Length != length)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The potential has length {potential.Length}; expected {length}.", name);
        }

        for (var k = 0; k < potential.Length; k++)
        {
            if (!double.IsFinite(potential[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"The potential is not finite at index {k} ({potential[k]}).", name);
            }
        }
    }

    /// <summary>A subsample level of the Sinkhorn stage: its points (indices into each cloud), potentials and cell weights.</summary>
    private sealed record Level(int[] Rows, int[] Cols, double[] F, double[] G, double[] A, double[] B);

    /// <summary>The array in another precision (the same array when the types agree), each entry rounded once.</summary>
    private static TTo[] Cast<TFrom, TTo>(TFrom[] v)
        where TFrom : unmanaged, IFloatingPointIeee754<TFrom>
        where TTo : unmanaged, IFloatingPointIeee754<TTo>
    {
        if (v is TTo[] same)
        {
            return same;
        }

        var result = new TTo[v.Length];
        for (var k = 0; k < v.Length; k++)
        {
            result[k] = TTo.CreateTruncating(v[k]);
        }

        return result;
    }
}
