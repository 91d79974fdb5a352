using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Monge.Distributed.Tests;

public sealed class SiloLossTests(KillClusterFixture fixture, ITestOutputHelper output) : IClassFixture<KillClusterFixture>
{
    [Fact]
    public async Task Solve_SiloKilledAfterALevelCheckpoint_SamePermutation()
    {
        var f = fixture.Inner;
        var (x, y) = DistributedHiRefTests.Clouds(3000, 7);
        var spec = new HiRefJobSpec { LeafSize = 64, Seed = 5, Quality = "fast" };
        var expected = spec.ToSolver().Solve(x, y);
        var solver = new DistributedHierarchicalRefinement(f.Cluster.Client, f.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var killed = new TaskCompletionSource<(string Silo, bool Coordinator)>();
        var progress = new KillAfterCheckpoint(f.Cluster, killed);
        var result = await solver.SolveAsync(x, y, spec, "kill-1", progress);
        Assert.True(killed.Task.IsCompleted, "no silo was killed (the job finished before its first checkpoint was seen)");
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(expected.Cost, result.Cost);
        var (victim, coordinator) = await killed.Task;
        Assert.NotEqual(victim, result.Status.CoordinatorSilo);
        if (coordinator)
        {
            // The coordinator was re-activated on a surviving silo and took the first levels from their checkpoints.
            Assert.True(result.Status.ResumedLevels >= 1, "the restarted coordinator split every level again");
        }

        output.WriteLine($"killed {victim}; coordinator runs {result.Status.Runs}, resumed levels {result.Status.ResumedLevels}, retries {result.Status.Retries}, workers {string.Join(" ", result.Status.WorkerSilos)}");
    }

    // Kills, once, the silo that runs the coordinator (unless it is the first silo, which hosts the test's gateway and
    // membership; then another silo, whose workers are lost instead) as soon as a level checkpoint is reported.
    private sealed class KillAfterCheckpoint(InProcessTestCluster cluster, TaskCompletionSource<(string Silo, bool Coordinator)> killed) : IProgress<HiRefJobStatus>
    {
        public void Report(HiRefJobStatus value)
        {
            if (value.CheckpointedLevels < 1 || killed.Task.IsCompleted)
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
