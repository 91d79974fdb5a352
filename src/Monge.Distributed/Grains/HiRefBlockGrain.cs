using Monge.Distributed.Storage;
using Orleans.Placement;

namespace Monge.Distributed.Grains;

/// <summary>The worker: one block split per activation (see <see cref="IHiRefBlockGrain"/>). Placed at random, so the
/// blocks of a level spread over the silos.</summary>
[RandomPlacement]
internal sealed class HiRefBlockGrain(HiRefSiloOptions options, ILocalSiloDetails silo) : Grain, IHiRefBlockGrain
{
    public async Task<HiRefBlockReply> SplitAsync(HiRefBlockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await options.Budget.WaitAsync().ConfigureAwait(true);
        try
        {
            var sizes = await Task.Run(() => BlockSplitWork.RunAsync(request, options.Store, options.Cores)).ConfigureAwait(true);
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
