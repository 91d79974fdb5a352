using Microsoft.Extensions.DependencyInjection;
using Monge.Distributed.Grains;
using Monge.Distributed.Storage;

namespace Monge.Distributed;

/// <summary>Registers the Hierarchical Refinement grains' services on a silo.</summary>
public static class HiRefHosting
{
    /// <summary>Adds the block store and core budget the grains of this assembly use.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="store">The store every silo and the client share.</param>
    /// <param name="cores">Block splits at once on this silo (−1: the processor count minus one).</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddMongeHiRef(this ISiloBuilder builder, IBlockStore store, int cores = -1)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        var options = cores > 0 ? new HiRefSiloOptions { Store = store, Cores = cores } : new HiRefSiloOptions { Store = store };
        MemoryTrace.Start();
        builder.Services.AddSingleton(options);
        builder.Services.AddPlacementDirector<ShardPlacement, ShardPlacementDirector>();
        builder.Services.AddPlacementDirector<WorkerPlacement, WorkerPlacementDirector>();
        return builder;
    }

    internal static ISiloBuilder AddMongeHiRef(this ISiloBuilder builder, HiRefSiloOptions options)
    {
        MemoryTrace.Start();
        builder.Services.AddSingleton(options);
        builder.Services.AddPlacementDirector<ShardPlacement, ShardPlacementDirector>();
        builder.Services.AddPlacementDirector<WorkerPlacement, WorkerPlacementDirector>();
        return builder;
    }
}
