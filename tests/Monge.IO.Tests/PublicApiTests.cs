using Monge.Testing;

namespace Monge.IO.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MongeIO_MatchesTheApprovedFile()
    {
        var problem = PublicApi.Verify(typeof(NpyFormat).Assembly, "Monge.IO");
        Assert.True(problem is null, problem);
    }
}
