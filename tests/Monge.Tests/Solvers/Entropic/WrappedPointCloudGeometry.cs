using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Tests.Solvers.Entropic;

/// <summary>
/// A geometry that is not a <see cref="PointCloudGeometry{T}"/> but offers the point-cloud capability by wrapping one
/// (composition, not inheritance): what a GPU or fused geometry would look like to the solvers.
/// </summary>
internal sealed class WrappedPointCloudGeometry : CostGeometry<double>, IPointCloudGeometry<double>
{
    private readonly PointCloudGeometry<double> _inner;

    public WrappedPointCloudGeometry(PointCloudGeometry<double> inner)
        : base(inner.Rows, inner.Cols, inner.ScaleFactor)
    {
        _inner = inner;
    }

    public PointCloud<double> Source => _inner.Source;

    public PointCloud<double> Target => _inner.Target;

    public ICostFunction<double> CostFunction => _inner.CostFunction;

    public override double Cost(int i, int j) => _inner.Cost(i, j);

    public override void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<double> destination)
        => _inner.FillCostBlock(rowStart, rowCount, colStart, colCount, destination);

    public override void SoftMin(ReadOnlySpan<double> potential, ReadOnlySpan<double> logWeights, double epsilon, Axis axis, Span<double> destination)
        => _inner.SoftMin(potential, logWeights, epsilon, axis, destination);

    public override CostGeometry<double> Transpose() => new WrappedPointCloudGeometry((PointCloudGeometry<double>)_inner.Transpose());

    protected override CostGeometry<double> WithScaleFactorCore(double factor) => new WrappedPointCloudGeometry((PointCloudGeometry<double>)_inner.WithScaleFactor(factor));
}
