using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Monge.Distributed.Grains;

/// <summary>Places worker grains (block splits and subtrees) round the silos by block index: block b's attempt a goes to
/// the ((b + a) mod silos)-th compatible silo in address order. The blocks of a level (or the subtree roots) then spread
/// evenly (random placement stacked up to 8 of 16 subtrees on one silo while another had 3), a retry moves to the next
/// silo, and the blocks of a lost silo are shared out over the live ones. The key ends in "/block/attempt".</summary>
[Serializable]
[GenerateSerializer]
[Immutable]
internal sealed class WorkerPlacement : PlacementStrategy
{
    internal static WorkerPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class for <see cref="WorkerPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class WorkerPlacementAttribute : PlacementAttribute
{
    public WorkerPlacementAttribute()
        : base(WorkerPlacement.Instance)
    {
    }
}

/// <summary>The director of <see cref="WorkerPlacement"/>, and the one placement by index that
/// <see cref="ShardPlacementDirector"/> shares.</summary>
internal sealed class WorkerPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
        => PlaceByIndex(target, context, addAttempt: true);

    // (block + attempt) mod silos from a key ending in "/block/attempt"; silo 0 for any other key.
    internal static int Slot(string key, int silos) => Slot(key, silos, addAttempt: true);

    /// <summary>The ((index [+ attempt]) mod silos)-th compatible silo in address order, for a key ending in
    /// "/index/attempt".</summary>
    internal static Task<SiloAddress> PlaceByIndex(PlacementTarget target, IPlacementContext context, bool addAttempt)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        return Task.FromResult(silos[Slot(target.GrainIdentity.Key.ToString()!, silos.Length, addAttempt)]);
    }

    private static int Slot(string key, int silos, bool addAttempt)
    {
        var parts = key.Split('/');
        var index = parts.Length >= 2 && long.TryParse(parts[^2], out var b) ? b : 0;
        var attempt = addAttempt && parts.Length >= 1 && long.TryParse(parts[^1], out var a) ? a : 0;
        return (int)(((index + attempt) % silos + silos) % silos);
    }
}
