namespace Monge.Solvers.LowRank;

/// <summary>How the factors of a low-rank solver are initialised. Every random choice uses the solver's seed.</summary>
public enum LowRankInitialization
{
    /// <summary>
    /// Random full-rank factors. FRLC: the reference's initialisation (uniform random "costs" projected with ε = 1/γ onto
    /// Π(a, 1/r), Π(b, 1/r₂) and Π(g_Q, g_R), then mixed 1:9 with the independent couplings of the same marginals).
    /// Low-rank Sinkhorn: OTT's RandomInitializer (|N(0,1)| rows scaled to a and b, g uniform on [1, 2] normalised).
    /// </summary>
    Random,

    /// <summary>The deterministic rank-2 initialisation of Scetbon, Cuturi and Peyré (2021), g uniform.</summary>
    Rank2,

    /// <summary>
    /// k-means (Scetbon and Cuturi 2022): Lloyd's algorithm (k-means++ seeding) on each point cloud, then an entropic
    /// assignment of points to centroids (ε = 0.1 on the max-normalised squared distances). Needs point coordinates.
    /// </summary>
    KMeans,
}
