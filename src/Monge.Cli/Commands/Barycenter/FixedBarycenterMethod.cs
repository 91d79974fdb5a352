namespace Monge.Cli.Commands.Barycenter;

/// <summary><c>monge barycenter --method fixed</c>: the entropic barycenter of histograms on a shared support or grid,
/// iterative Bregman projections in the log domain (Benamou et al. 2015).</summary>
public sealed class FixedBarycenterMethod : HistogramBarycenterMethod
{
    /// <inheritdoc/>
    public override string Name => "fixed";

    /// <inheritdoc/>
    public override string Description => "entropic barycenter of histograms on a shared --support or --grid (iterative Bregman projections, log domain; separable on a grid); --epsilon";
}
