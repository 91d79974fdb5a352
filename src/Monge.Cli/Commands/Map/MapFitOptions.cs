using System.CommandLine;

namespace Monge.Cli.Commands.Map;

/// <summary>The method options of <c>monge map fit</c>, each declared once with its meaning.</summary>
internal sealed class MapFitOptions
{
    public Option<double?> Epsilon { get; } = new("--epsilon") { Description = "Absolute ε (entropic: of the one solve, default 0.05·std C; progot: the same ε at every stage, default the paper's schedule from 0.05·std C towards a scale chosen on the target)." };

    public Option<double> Threshold { get; } = new("--threshold") { Description = "L1 marginal threshold of each Sinkhorn solve.", DefaultValueFactory = _ => 1e-3 };

    public Option<int> MaxIterations { get; } = new("--max-iterations") { Description = "Iteration budget of each Sinkhorn solve.", DefaultValueFactory = _ => 2000 };

    public Option<int> Steps { get; } = new("--steps") { Description = "ProgOT stages K.", DefaultValueFactory = _ => 8 };

    public Option<string> Schedule { get; } = new("--schedule") { Description = "ProgOT α schedule: constant-speed, decelerating or accelerating.", DefaultValueFactory = _ => "constant-speed" };

    public Option<double?> StartEpsilonScale { get; } = new("--start-epsilon-scale") { Description = "ProgOT: ε_start = this × 0.05·std C on (source, target) (default 1); not with --epsilon." };

    public Option<string?> EndEpsilonScales { get; } = new("--end-epsilon-scales") { Description = "ProgOT: candidate multipliers of 0.05·std C on (target, target) for ε_end, the one that best maps the target to itself wins (default 0.01,0.0316,0.1,0.316,1); not with --epsilon." };

    public Option<bool> ColdStart { get; } = new("--cold-start") { Description = "ProgOT: start every stage's Sinkhorn from scratch instead of from the previous stage's potentials × (1 − α)." };

    public Option<bool> Debiased { get; } = new("--debiased") { Description = "entropic: the debiased map (the Sinkhorn-divergence potential f − f_xx; one more Sinkhorn solve, source against itself; no shrinkage towards the target's mean, a translation is recovered exactly); progot: debias every stage's entropic map (the Sinkhorn-divergence potential f − f_xx, as OTT-JAX's solve_sinkdiv): one more Sinkhorn solve per stage, between the moved source and itself; the map file keeps every stage's source points." };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the target points drawn to choose ProgOT's final ε.", DefaultValueFactory = _ => 0 };
}
