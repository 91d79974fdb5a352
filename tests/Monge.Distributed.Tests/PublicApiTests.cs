using Monge.Testing;

namespace Monge.Distributed.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MongeDistributed_MatchesTheApprovedFile()
    {
        var problem = PublicApi.Verify(typeof(DistributedHierarchicalRefinement).Assembly, "Monge.Distributed");
        Assert.True(problem is null, problem);
    }
}
