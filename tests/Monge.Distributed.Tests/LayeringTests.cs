using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Tests;

public sealed class LayeringTests
{
    // Issue 15: "the core library must not reference Orleans". The core (Monge) and the IO library reach the cluster only
    // through the core's IHiRefExecutor / IHiRefSubtreeRunner seam; Orleans is referenced by Monge.Distributed alone.
    [Fact]
    public void CoreAndIo_DoNotReferenceOrleans()
    {
        var core = typeof(HierarchicalRefinement).Assembly;
        var io = typeof(Monge.IO.NpyFormat).Assembly;
        foreach (var assembly in new[] { core, io })
        {
            var names = assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();
            Assert.NotEmpty(names);
            Assert.DoesNotContain(names, n => n.StartsWith("Orleans", StringComparison.Ordinal) || n.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        }

        Assert.Contains(typeof(DistributedHierarchicalRefinement).Assembly.GetReferencedAssemblies(), a => (a.Name ?? "").StartsWith("Orleans", StringComparison.Ordinal));
    }

    // Worker placement (block splits and subtrees): block b's attempt a goes to silo (b + a) mod silos, so a level's blocks
    // spread evenly, a retry moves to the next silo, and a lost silo's blocks are shared out over the live ones.
    [Theory]
    [InlineData("job/subtree/1/0/0", 3, 0)]
    [InlineData("job/subtree/1/5/0", 3, 2)]
    [InlineData("job/subtree/1/5/1", 3, 0)]
    [InlineData("job/2/7/0", 2, 1)]
    [InlineData("job/2/7/3", 2, 0)]
    [InlineData("other", 3, 0)]
    public void WorkerPlacement_Slot_IsBlockPlusAttemptModSilos(string key, int silos, int expected) =>
        Assert.Equal(expected, Grains.WorkerPlacementDirector.Slot(key, silos));

    [Fact]
    public void WorkerPlacement_SixteenSubtreesOnThreeSilos_SixFiveFive()
    {
        var counts = new int[3];
        for (var b = 0; b < 16; b++)
        {
            counts[Grains.WorkerPlacementDirector.Slot($"job/subtree/1/{b}/0", 3)]++;
        }

        Assert.Equal([6, 5, 5], counts);
    }
}
