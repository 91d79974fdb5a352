using Monge.Geometry;
using Monge.Testing;

namespace Monge.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_Monge_MatchesTheApprovedFile()
    {
        var problem = PublicApi.Verify(typeof(PointCloud<>).Assembly, "Monge");
        Assert.True(problem is null, problem);
    }
}
