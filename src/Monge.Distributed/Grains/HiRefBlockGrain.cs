using Monge.Distributed.Storage;

namespace Monge.Distributed.Grains;

/// <summary>The worker: one block split or one subtree per activation (see <see cref="IHiRefBlockGrain"/>). Placed round the
/// silos by block index (<see cref="WorkerPlacement"/>), so the blocks of a level spread evenly over the silos.</summary>
[WorkerPlacement]
internal sealed class HiRefBlockGrain(HiRefSiloOptions options, ILocalSiloDetails silo) : Grain, IHiRefBlockGrain
{
    public Task<HiRefBlockReply> SplitAsync(HiRefBlockRequest request) => RunAsync(request, BlockSplitWork.RunAsync);

    public Task<HiRefBlockReply> SolveSubtreeAsync(HiRefBlockRequest request) => RunAsync(request, BlockSplitWork.RunSubtreeAsync);

    private async Task<HiRefBlockReply> RunAsync(HiRefBlockRequest request, Func<HiRefBlockRequest, IBlockStore, int, Task<int[]>> work)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var trace = MemoryTrace.Enter($"worker {(request.Rank == 0 ? "subtree" : "split")} {request.Level}/{request.BlockIndex} m={request.Size} (waiting)");
        await options.Budget.WaitAsync().ConfigureAwait(true);
        trace.Rename($"worker {(request.Rank == 0 ? "subtree" : "split")} {request.Level}/{request.BlockIndex} m={request.Size}");
        try
        {
            var sizes = await Task.Run(() => BlockSplitWork.ThenCompactAsync(work(request, options.Store, options.Cores), options)).ConfigureAwait(true);
            return new HiRefBlockReply { ChildSizes = sizes, Silo = silo.SiloAddress.ToString() };
        }
        catch (BlockStoreException ex)
        {
            var kind = ex is BlockNotFoundException ? HiRefJobErrorKind.BlockMissing : HiRefJobErrorKind.BlockCorrupt;
            return new HiRefBlockReply { ErrorKind = kind, Error = ex.Message, ErrorKey = ex.Key, Silo = silo.SiloAddress.ToString() };
        }
        finally
        {
            options.Budget.Release();
            DeactivateOnIdle();
        }
    }
}
