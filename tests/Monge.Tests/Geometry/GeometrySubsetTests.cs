using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Testing;

namespace Monge.Tests.Geometry;

public sealed class GeometrySubsetTests
{
    private static readonly int[] s_rows = [4, 0, 9, 4];
    private static readonly int[] s_cols = [2, 6, 1];

    public static TheoryData<string> Kinds => ["pointcloud-sq", "pointcloud-euclidean", "lowrank", "dense"];

    private static CostGeometry<double> Make(string kind)
    {
        var x = GeometryTestData.Cloud(10, 3, 1);
        var y = GeometryTestData.Cloud(7, 3, 2, offset: 1);
        var pc = PointCloudGeometry.SquaredEuclidean(x, y);
        return kind switch
        {
            "pointcloud-sq" => pc.WithScaleFactor(0.5),
            "pointcloud-euclidean" => new PointCloudGeometry<double>(x, y, default(Euclidean<double>), 2.0),
            "lowrank" => LowRankGeometry<double>.SquaredEuclidean(x, y).WithScaleFactor(3.0),
            _ => new DenseGeometry<double>(pc.ToDense(), 10, 7, 0.25),
        };
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Subset_AnyGeometry_HasTheSelectedScaledEntries(string kind)
    {
        var g = Make(kind);
        var sub = g.Subset(s_rows, s_cols);
        Assert.Equal(s_rows.Length, sub.Rows);
        Assert.Equal(s_cols.Length, sub.Cols);
        for (var k = 0; k < s_rows.Length; k++)
        {
            for (var l = 0; l < s_cols.Length; l++)
            {
                NumericAssert.Close(g.Cost(s_rows[k], s_cols[l]), sub.Cost(k, l), rtol: 1e-12, atol: 1e-12, what: $"{kind} ({k}, {l})");
            }
        }

        Assert.Equal(g is IPointCloudGeometry<double>, sub is IPointCloudGeometry<double>);
        Assert.Equal(g is IFactoredGeometry<double>, sub is IFactoredGeometry<double>);
    }

    [Fact]
    public void Subset_FactoredGeometry_FactorsMultiplyToTheBlock()
    {
        var g = (IFactoredGeometry<double>)Make("lowrank");
        var sub = g.Subset(s_rows, s_cols);
        var f = sub.Factors;
        var whole = (CostGeometry<double>)g;
        for (var k = 0; k < s_rows.Length; k++)
        {
            for (var l = 0; l < s_cols.Length; l++)
            {
                var c = 0.0;
                for (var t = 0; t < f.Rank; t++)
                {
                    c += f.A[(k * f.Rank) + t] * f.B[(l * f.Rank) + t];
                }

                NumericAssert.Close(whole.Cost(s_rows[k], s_cols[l]), c, rtol: 1e-12, atol: 1e-12, what: $"({k}, {l})");
            }
        }
    }

    [Fact]
    public void Subset_BadIndices_Throw()
    {
        var g = Make("dense");
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => g.Subset([10], [0])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => g.Subset([0], [-1])).Problem);
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => g.Subset([], [0])).Problem);
    }
}
