using Microsoft.Extensions.DependencyInjection;
using Monge.Distributed.Storage;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Monge.Distributed.Tests;

/// <summary>An in-process cluster of three silos sharing a temporary directory store.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "monge-cluster-" + Guid.NewGuid().ToString("N"));

    public DirectoryBlockStore Store { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = new DirectoryBlockStore(Root);
        Cluster = await StartAsync(Store, 3, TimeSpan.Zero);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    // compact: HiRefSiloOptions.CompactAfterWork (off by default here: three silos share the test process, and a full
    // collection after every small block would only slow the tier down; the permutation does not depend on it).
    public static async Task<InProcessTestCluster> StartAsync(IBlockStore store, short silos, TimeSpan pause, TimeSpan shardCallDelay = default, bool compact = false)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMongeHiRef(new HiRefSiloOptions { Store = store, Cores = 1, PauseAfterCheckpoint = pause, ShardCallDelay = shardCallDelay, CompactAfterWork = compact });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
