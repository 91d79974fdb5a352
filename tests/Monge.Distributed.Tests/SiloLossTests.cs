using Monge.Distributed.Storage;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Monge.Distributed.Tests;

public sealed class SiloLossTests(ITestOutputHelper output)
{
    // Each case gets its own 3-silo cluster (a kill leaves two). Level mode (SubtreeSize 0): a kill after the first level
    // checkpoint. Subtree mode (blocks of ≤ 400 points go whole to workers after level 0): a kill after the level-0
    // checkpoint, and a kill after the first finished subtree (a restarted coordinator takes the finished subtrees from
    // the store).
    [Theory]
    [InlineData(0, false, 5)]
    [InlineData(400, false, 6)]
    [InlineData(400, true, 8)]
    public async Task Solve_SiloKilledMidJob_SamePermutation(int subtreeSize, bool duringSubtrees, int seed)
    {
        var root = Path.Combine(Path.GetTempPath(), "monge-kill-" + Guid.NewGuid().ToString("N"));
        var store = new DirectoryBlockStore(root);
        var cluster = await ClusterFixture.StartAsync(store, 3, TimeSpan.FromSeconds(2));
        try
        {
            var (x, y) = DistributedHiRefTests.Clouds(3000, seed + 2);
            var spec = new HiRefJobSpec { LeafSize = 64, Seed = seed, Quality = "fast", SubtreeSize = subtreeSize };
            var expected = spec.ToSolver().Solve(x, y);
            var solver = new DistributedHierarchicalRefinement(cluster.Client, store) { PollInterval = TimeSpan.FromMilliseconds(50) };
            var killed = new TaskCompletionSource<(string Silo, bool Coordinator)>();
            var progress = new KillMidJob(cluster, killed, duringSubtrees);
            var result = await solver.SolveAsync(x, y, spec, $"kill-{subtreeSize}-{duringSubtrees}", progress);
            Assert.True(killed.Task.IsCompleted, "no silo was killed (the job finished before the kill point was seen)");
            Assert.Equal(expected.Permutation, result.Permutation);
            Assert.Equal(expected.Cost, result.Cost);
            var (victim, coordinator) = await killed.Task;
            Assert.NotEqual(victim, result.Status.CoordinatorSilo);
            var status = $"runs {result.Status.Runs}, resumed levels {result.Status.ResumedLevels}, resumed subtrees {result.Status.ResumedSubtrees}";
            if (coordinator)
            {
                // The coordinator was re-activated on a surviving silo and took the finished work from the store. The
                // silos pause 2 s after each level checkpoint and each finished subtree, so the kill lands while the job
                // runs (without the pause a fast machine finished every subtree within one poll and stored the result
                // before the kill).
                Assert.True(result.Status.ResumedLevels >= 1, "the restarted coordinator split every level again: " + status);
                if (duringSubtrees)
                {
                    Assert.True(result.Status.ResumedSubtrees >= 1, "the restarted coordinator solved every subtree again: " + status);
                }
            }

            if (subtreeSize > 0)
            {
                Assert.True(result.Status.Subtrees >= 2);
            }

            output.WriteLine($"killed {victim} (coordinator: {coordinator}); {status}, retries {result.Status.Retries}, workers {string.Join(" ", result.Status.WorkerSilos)}");
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    // Kills, once, the silo that runs the coordinator (unless it is the first silo, which hosts the test's gateway and
    // membership; then another silo, whose workers are lost instead) as soon as a level checkpoint (or a finished
    // subtree) is reported.
    private sealed class KillMidJob(InProcessTestCluster cluster, TaskCompletionSource<(string Silo, bool Coordinator)> killed, bool duringSubtrees) : IProgress<HiRefJobStatus>
    {
        public void Report(HiRefJobStatus value)
        {
            var due = duringSubtrees ? value.Stage == "subtrees" && value.BlocksDone >= 1 : value.CheckpointedLevels >= 1;
            if (!due || killed.Task.IsCompleted)
            {
                return;
            }

            var silos = cluster.Silos;
            var coordinator = silos.Skip(1).FirstOrDefault(s => s.SiloAddress.ToString() == value.CoordinatorSilo);
            var victim = coordinator ?? silos[^1];
            killed.SetResult((victim.SiloAddress.ToString(), coordinator is not null));
            cluster.KillSiloAsync(victim).GetAwaiter().GetResult();
        }
    }
}
