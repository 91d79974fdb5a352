using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Monge.Distributed.Grains;

/// <summary>Places shard s of a sharded level on the (s mod silos)-th compatible silo (in address order), so the shards of
/// a level spread over the silos (random placement would often stack two on one silo). The key ends in
/// "/shard/attempt".</summary>
[Serializable]
[GenerateSerializer]
[Immutable]
internal sealed class ShardPlacement : PlacementStrategy
{
    internal static ShardPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class for <see cref="ShardPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class ShardPlacementAttribute : PlacementAttribute
{
    public ShardPlacementAttribute()
        : base(ShardPlacement.Instance)
    {
    }
}

/// <summary>The director of <see cref="ShardPlacement"/>: shard s on the (s mod silos)-th silo, whatever the attempt.</summary>
internal sealed class ShardPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
        => WorkerPlacementDirector.PlaceByIndex(target, context, addAttempt: false);
}
