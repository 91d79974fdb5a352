using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Monge.Geometry.Costs;
using Monge.Numerics;

namespace Monge.Geometry;

/// <summary>
/// The cost c(x_i, y_j) between two point clouds, recomputed in tiles on the fly: memory is O((n + m)·d), never n × m
/// (OTT-JAX <c>PointCloud</c> with <c>batch_size</c>, KeOps/GeomLoss online reductions). The squared Euclidean cost
/// (the default) uses |x|² + |y|² − 2⟨x, y⟩ with precomputed norms and has a fused SIMD log-sum-exp kernel.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// Costs: every <see cref="CostGeometry{T}.SoftMin"/> or <see cref="CostGeometry{T}.ApplyCost(ReadOnlySpan{T}, Axis, Span{T})"/>
/// is O(n·m·d) time; both run in parallel over row tiles. Point weights in the clouds are ignored here (they belong to
/// the problem, see <c>LinearProblem</c>).
/// </remarks>
public sealed class PointCloudGeometry<T> : CostGeometry<T>, IPointCloudGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CostTiler<T> _tiler;
    private PointCloudGeometry<T>? _transposed;

    /// <summary>Creates the geometry; <paramref name="cost"/> defaults to <see cref="SquaredEuclidean{T}"/>.</summary>
    /// <param name="source">The n source points (rows).</param>
    /// <param name="target">The m target points (columns), same dimension.</param>
    /// <param name="cost">The ground cost. The built-in structs are recognized and specialized; other implementations are called through the interface (use <see cref="PointCloudGeometry.Create{T, TCost}"/> for a specialized custom struct).</param>
    /// <param name="scaleFactor">Multiplier applied to every cost (default 1).</param>
    /// <exception cref="InputValidationException">The dimensions differ or the scale factor is invalid.</exception>
    public PointCloudGeometry(PointCloud<T> source, PointCloud<T> target, ICostFunction<T>? cost = null, T? scaleFactor = null)
        : this(source, target, CreateTiler(source, target, cost), scaleFactor ?? T.One)
    {
    }

    internal PointCloudGeometry(PointCloud<T> source, PointCloud<T> target, CostTiler<T> tiler, T scaleFactor)
        : base(CheckNotNull(source).Count, CheckNotNull(target).Count, scaleFactor)
    {
        CheckDimensions(source, target);
        Source = source;
        Target = target;
        _tiler = tiler;
    }

    /// <summary>The source points (rows).</summary>
    public PointCloud<T> Source { get; }

    /// <summary>The target points (columns).</summary>
    public PointCloud<T> Target { get; }

    /// <summary>The ground cost.</summary>
    public ICostFunction<T> CostFunction => _tiler.Function;

    /// <summary>Whether the cost is the squared Euclidean one (which enables the fused kernel and exact factors).</summary>
    public bool IsSquaredEuclidean => _tiler is SquaredEuclideanTiler<T>;

    /// <summary>The squared Euclidean tiler (centered coordinates, norms and its entry), or null for another cost.</summary>
    internal SquaredEuclideanTiler<T>? SquaredTiler => _tiler as SquaredEuclideanTiler<T>;

    /// <inheritdoc />
    public override T Cost(int i, int j)
    {
        if ((uint)i >= (uint)Rows || (uint)j >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(i), $"({i}, {j}) is outside the {Rows} × {Cols} geometry.");
        }

        return _tiler.Cost(Source, Target, i, j) * ScaleFactor;
    }

    /// <inheritdoc />
    public override void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<T> destination)
    {
        CheckBlockRange(rowStart, rowCount, colStart, colCount, destination.Length);
        _tiler.Fill(Source, Target, rowStart, rowCount, colStart, colCount, ScaleFactor, destination);
    }

    /// <inheritdoc />
    public override void SoftMin(ReadOnlySpan<T> potential, ReadOnlySpan<T> logWeights, T epsilon, Axis axis, Span<T> destination)
    {
        if (_tiler is not SquaredEuclideanTiler<T> sq || !SquaredEuclideanSoftMin.IsSupported<T>())
        {
            base.SoftMin(potential, logWeights, epsilon, axis, destination);
            return;
        }

        if (SoftMinOnRows(potential, logWeights, epsilon, axis, destination))
        {
            SquaredEuclideanSoftMin.Run(sq.SourceCentered, sq.SourceNorms, sq.TargetCentered, sq.TargetNorms, Source.Dimension, ScaleFactor, potential, logWeights, epsilon, destination[..Rows]);
        }
    }

    /// <inheritdoc />
    public override CostGeometry<T> Transpose()
    {
        var cached = _transposed;
        if (cached is not null)
        {
            return cached;
        }

        cached = new PointCloudGeometry<T>(Target, Source, _tiler.Transposed(), ScaleFactor) { _transposed = this };
        Interlocked.CompareExchange(ref _transposed, cached, null);
        return _transposed!;
    }

    /// <summary>
    /// Exact factors for the squared Euclidean cost (rank d + 2: A_i = [|x_i|², 1, −2x_i], B_j = [1, |y_j|², y_j]) and
    /// the negative dot product (rank d: A = −x, B = y). Other costs have none.
    /// </summary>
    /// <param name="factors">The factors (scale folded into A), or null.</param>
    /// <returns>Whether the cost has an exact factorization.</returns>
    public override bool TryGetFactors([NotNullWhen(true)] out LowRankFactors<T>? factors)
    {
        var d = Source.Dimension;
        var s = ScaleFactor;
        if (_tiler is SquaredEuclideanTiler<T> sq)
        {
            var r = d + 2;
            var a = new T[Rows * r];
            var b = new T[Cols * r];
            var two = T.CreateTruncating(2);
            for (var i = 0; i < Rows; i++)
            {
                var row = a.AsSpan(i * r, r);
                row[0] = sq.SourceNorms[i] * s;
                row[1] = s;
                var xi = sq.SourceCentered.AsSpan(i * d, d);
                for (var k = 0; k < d; k++)
                {
                    row[2 + k] = -two * xi[k] * s;
                }
            }

            for (var j = 0; j < Cols; j++)
            {
                var row = b.AsSpan(j * r, r);
                row[0] = T.One;
                row[1] = sq.TargetNorms[j];
                sq.TargetCentered.AsSpan(j * d, d).CopyTo(row[2..]);
            }

            factors = new LowRankFactors<T>(a, b, r);
            return true;
        }

        if (_tiler.Function is NegativeDotProduct<T>)
        {
            var a = new T[Rows * d];
            for (var k = 0; k < a.Length; k++)
            {
                a[k] = -Source.Data[k] * s;
            }

            factors = new LowRankFactors<T>(a, Target.Data.ToArray(), d);
            return true;
        }

        factors = null;
        return false;
    }

    /// <inheritdoc />
    /// <remarks>Copies the selected points (O((|rows| + |cols|)·d)); the cost and the scale factor are kept.</remarks>
    public override CostGeometry<T> Subset(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols)
    {
        CheckSubset(rows, cols);
        var source = Source.Subset(rows);
        var target = Target.Subset(cols);
        return new PointCloudGeometry<T>(source, target, CreateTiler(source, target, CostFunction), ScaleFactor);
    }

    /// <inheritdoc />
    /// <remarks>Squared Euclidean costs are built with blocked matrix products (<see cref="SquaredDistanceProducts{T}"/>,
    /// the builder the assignment solver uses too).</remarks>
    internal override T[] MaterializeRawCosts()
    {
        if (_tiler is not SquaredEuclideanTiler<T>)
        {
            return base.MaterializeRawCosts();
        }

        var costs = new T[(long)Source.Count * Target.Count];
        SquaredDistanceProducts<T>.Create(Source.Data, Target.Data, Source.Dimension).FillRows(0, Source.Count, euclidean: false, T.One, costs);
        return costs;
    }

    /// <inheritdoc />
    protected override CostGeometry<T> WithScaleFactorCore(T factor) => new PointCloudGeometry<T>(Source, Target, _tiler, factor);

    private static void CheckDimensions(PointCloud<T> source, PointCloud<T> target)
    {
        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Source points have dimension {source.Dimension} but target points have {target.Dimension}.", nameof(target));
        }
    }

    private static PointCloud<T> CheckNotNull(PointCloud<T> cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        return cloud;
    }

    private static CostTiler<T> CreateTiler(PointCloud<T> source, PointCloud<T> target, ICostFunction<T>? cost)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        CheckDimensions(source, target);
        var visitor = new TilerVisitor(source, target);
        return Costs.CostFunction.Dispatch<T, TilerVisitor, CostTiler<T>>(cost, ref visitor);
    }

    /// <summary>The tiler for the cost struct that <see cref="Costs.CostFunction.Dispatch{T, TVisitor, TResult}"/> finds: the fused
    /// squared Euclidean tiler (centred points and norms), or the generic tiler specialised on the cost.</summary>
    private readonly struct TilerVisitor(PointCloud<T> source, PointCloud<T> target) : ICostVisitor<T, CostTiler<T>>
    {
        public CostTiler<T> Invoke<TCost>(TCost cost)
            where TCost : ICostFunction<T>
            => cost is SquaredEuclidean<T>
                ? new SquaredEuclideanTiler<T>(source, target)
                : new CostTiler<T, TCost>(cost, swapped: false);
    }
}
