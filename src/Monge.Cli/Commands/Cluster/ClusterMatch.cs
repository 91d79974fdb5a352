using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Match;
using Monge.Cli.Infrastructure;
using Monge.Distributed;
using Monge.Distributed.Storage;
using Monge.Geometry;
using Monge.Solvers;

namespace Monge.Cli.Commands.Cluster;

/// <summary>
/// The <c>cluster</c> method of <c>monge match</c>: Hierarchical Refinement on a running Orleans cluster
/// (<c>--cluster HOST:PORT --store DIR</c>), with the HiRef options <c>--quality</c>, <c>--leaf-size</c>,
/// <c>--rank-schedule</c>, <c>--seed</c>. The permutation is bit-identical to <c>--method hiref</c> with the same options.
/// </summary>
public static class ClusterMatch
{
    /// <summary>The option naming a gateway of the cluster.</summary>
    public const string ClusterOption = "--cluster";

    /// <summary>The option naming the shared store directory.</summary>
    public const string StoreOption = "--store";

    /// <summary>The option setting the largest block handed whole to a worker as a subtree (0: none).</summary>
    public const string SubtreeSizeOption = "--subtree-size";

    /// <summary>The option setting how level 0 is split: over one shard per silo (0), N shards, or on one worker (−1).</summary>
    public const string TrunkShardsOption = "--trunk-shards";

    /// <summary>The option naming the job (to resume or re-read a job).</summary>
    public const string JobIdOption = "--job-id";

    /// <summary>Set by <c>monge cluster local</c> for its one match: starts the loopback silos once the match has read
    /// and checked its options and inputs, so that a bad flag is refused before any silo starts (null otherwise).</summary>
    internal static readonly AsyncLocal<Action?> BeforeConnect = new();

    /// <summary>The <c>cluster</c> method.</summary>
    public static MatchMethod Method { get; } = new("cluster", "Hierarchical Refinement on an Orleans cluster (--cluster HOST:PORT --store DIR; same permutation as hiref; no --slab-rounds)", Solve)
    {
        CreateOptions = CreateOptions,
        ReadOptions = ReadOptions,
    };

    /// <summary>What the method needs besides the HiRef settings.</summary>
    /// <param name="Gateway">The gateway endpoint.</param>
    /// <param name="Store">The store directory.</param>
    /// <param name="JobId">The job id, or null for a new one.</param>
    public sealed record Target(EndPoint Gateway, string Store, string? JobId)
    {
        /// <summary>The largest block handed whole to a worker (<see cref="HiRefJobSpec.SubtreeSize"/>).</summary>
        public int SubtreeSize { get; init; } = HiRefJobSpec.DefaultSubtreeSize;

        /// <summary>How level 0 is split (<see cref="HiRefJobSpec.TrunkShards"/>).</summary>
        public int TrunkShards { get; init; }
    }

    /// <summary>Creates the method's options.</summary>
    /// <returns>--cluster, --store, --job-id and the HiRef options it supports.</returns>
    public static IEnumerable<Option> CreateOptions()
    {
        var quality = new Option<string>(HirefMatch.QualityOption) { Description = "Time/quality budget: fast, balanced (default) or best.", DefaultValueFactory = _ => "balanced" };
        quality.AcceptOnlyFromAmong("fast", "balanced", "best");
        return
        [
            new Option<string?>(ClusterOption) { Description = "A gateway of the running cluster, HOST:PORT (monge cluster silo prints it)." },
            new Option<string?>(StoreOption) { Description = "The store directory the silos share (monge cluster silo --store)." },
            new Option<int?>(SubtreeSizeOption) { Description = $"Blocks of at most this many points go whole to a worker (their levels and leaves); 0 keeps the leaves on the coordinator (default {HiRefJobSpec.DefaultSubtreeSize}; same permutation)." },
            new Option<int?>(TrunkShardsOption) { Description = "Level 0 (squared Euclidean, n ≥ 524 288) split data-parallel over this many shard grains; 0 = one per silo (default), -1 = on one worker (same permutation)." },
            new Option<string?>(JobIdOption) { Description = "Job id (letters, digits, '-', '_'); the same id resumes an interrupted job or re-reads a finished one (default: a new id)." },
            quality,
            new Option<int?>(HirefMatch.LeafSizeOption) { Description = "Largest block solved exactly at the leaves (default 256)." },
            new Option<string?>(HirefMatch.RankScheduleOption) { Description = "Ranks per level, e.g. 16,16,8 (default: chosen from n)." },
            new Option<int>(HirefMatch.SeedOption) { Description = "Seed of every random choice.", DefaultValueFactory = _ => 0 },
        ];
    }

    /// <summary>Reads the options.</summary>
    /// <param name="parse">The parse result.</param>
    /// <param name="settings">The settings to complete.</param>
    /// <returns>The settings with the HiRef options and a <see cref="Target"/> in <see cref="MatchSettings.MethodState"/>.</returns>
    /// <exception cref="UsageException">A missing or malformed --cluster or --store, or a bad job id.</exception>
    public static MatchSettings ReadOptions(ParseResult parse, MatchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(settings);
        var cluster = parse.GetValue<string?>(ClusterOption) ?? throw new UsageException("--method cluster needs --cluster HOST:PORT (a gateway of the running cluster).");
        var store = parse.GetValue<string?>(StoreOption) ?? throw new UsageException("--method cluster needs --store DIR (the directory the silos share).");
        var jobId = parse.GetValue<string?>(JobIdOption);
        if (jobId is not null)
        {
            try
            {
                HiRefKeys.CheckJobId(jobId);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--job-id: {CliErrors.Message(ex, [])}");
            }
        }

        var subtreeSize = parse.GetValue<int?>(SubtreeSizeOption) ?? HiRefJobSpec.DefaultSubtreeSize;
        if (subtreeSize < 0)
        {
            throw new UsageException($"{SubtreeSizeOption} must be 0 (off) or positive (got {subtreeSize}).");
        }

        var trunkShards = parse.GetValue<int?>(TrunkShardsOption) ?? 0;
        if (trunkShards < -1)
        {
            throw new UsageException($"{TrunkShardsOption} must be -1 (off), 0 (one per silo) or positive (got {trunkShards}).");
        }

        var hiref = HirefMatch.ReadOptions(parse, settings);
        return hiref with { MethodState = new Target(ParseEndpoint(cluster, ClusterOption), store, jobId) { SubtreeSize = subtreeSize, TrunkShards = trunkShards } };
    }

    /// <summary>Parses HOST:PORT (an IP address or a host name).</summary>
    /// <param name="text">The text.</param>
    /// <param name="option">The option, for the error message.</param>
    /// <exception cref="UsageException">Not HOST:PORT with a port in 1..65535.</exception>
    public static EndPoint ParseEndpoint(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new UsageException($"{option}: '{text}' is not HOST:PORT (for example 127.0.0.1:30000).");
        }

        var host = text[..colon].Trim('[', ']');
        return IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
    }

    /// <summary>Resolves an endpoint to an IP endpoint.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="option">The option, for the error message.</param>
    /// <exception cref="IOException">The host name does not resolve.</exception>
    public static IPEndPoint Resolve(EndPoint endpoint, string option)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint is IPEndPoint ip)
        {
            return ip;
        }

        var dns = (DnsEndPoint)endpoint;
        try
        {
            var address = Dns.GetHostAddresses(dns.Host).FirstOrDefault() ?? throw new IOException($"{option}: host '{dns.Host}' has no address.");
            return new IPEndPoint(address, dns.Port);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new IOException($"{option}: cannot resolve host '{dns.Host}' ({ex.Message}).", ex);
        }
    }

    /// <summary>Runs the job on the cluster and waits for it.</summary>
    public static MatchOutcome Solve(PointCloud<double> x, PointCloud<double> y, MatchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(settings);
        var target = settings.MethodState as Target ?? throw new InvalidOperationException("The cluster method's options were not read.");
        if (x.Count != y.Count)
        {
            throw new UsageException($"--method cluster matches equal-size point sets, but --source has {x.Count} points and --target {y.Count}.");
        }

        if (!Directory.Exists(target.Store))
        {
            throw new DirectoryNotFoundException($"--store: directory '{target.Store}' does not exist (it must be the directory the silos share).");
        }

        var spec = new HiRefJobSpec
        {
            Cost = settings.Cost.Name,
            Quality = settings.Quality.ToString(),
            LeafSize = settings.LeafSize ?? 256,
            RankSchedule = settings.RankSchedule,
            Seed = settings.Seed,
            SubtreeSize = target.SubtreeSize,
            TrunkShards = target.TrunkShards,
        };
        BeforeConnect.Value?.Invoke();
        var gateway = Resolve(target.Gateway, ClusterOption);
        var store = new DirectoryBlockStore(target.Store);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = RunAsync(gateway, store, x, y, spec, target.JobId, settings.Progress, cancellationToken).GetAwaiter().GetResult();
        var status = result.Status;
        var extra = new JsonObject
        {
            ["quality"] = settings.Quality.ToString().ToLowerInvariant(),
            ["job_id"] = status.JobId,
            ["cluster"] = gateway.ToString(),
            ["store"] = store.Root,
            ["coordinator_runs"] = status.Runs,
            ["generation"] = status.Generation,
            ["resumed_levels"] = status.ResumedLevels,
            ["checkpointed_levels"] = status.CheckpointedLevels,
            ["retries"] = status.Retries,
            ["level_seconds"] = new JsonArray([.. status.LevelSeconds.Select(s => (JsonNode?)JsonValue.Create(s))]),
            ["level_bytes"] = new JsonArray([.. status.LevelBytes.Select(b => (JsonNode?)JsonValue.Create(b))]),
            ["checkpoint_seconds"] = status.CheckpointSeconds,
            ["leaf_seconds"] = status.LeafSeconds,
            ["subtrees"] = status.Subtrees,
            ["subtree_seconds"] = status.SubtreeSeconds,
            ["resumed_subtrees"] = status.ResumedSubtrees,
            ["resumed_blocks"] = status.ResumedBlocks,
            ["bytes_written"] = status.BytesWritten,
            ["bytes_read"] = status.BytesRead,
            ["sharded_levels"] = status.ShardedLevels,
            ["shards"] = status.Shards,
            ["shard_round_trips"] = status.ShardRoundTrips,
            ["shard_message_bytes"] = status.ShardMessageBytes,
            ["sharded_level_restarts"] = status.ShardedLevelRestarts,
            ["shard_fan_out_seconds"] = status.ShardFanOutSeconds,
            ["shard_compute_seconds"] = status.ShardComputeSeconds,
            ["shard_logits_seconds"] = status.ShardLogitsSeconds,
            ["worker_silos"] = new JsonArray([.. status.WorkerSilos.Select(s => (JsonNode?)JsonValue.Create(s))]),
        };
        var convergence = new Convergence(SolverStatus.Converged, status.CheckpointedLevels, double.NaN, double.NaN, [], clock.Elapsed);
        return new MatchOutcome(result.Permutation, result.Cost * x.Count, Optimal: false, convergence, "cluster", extra);
    }

    private static async Task<DistributedHiRefResult> RunAsync(IPEndPoint gateway, IBlockStore store, PointCloud<double> x, PointCloud<double> y, HiRefJobSpec spec, string? jobId, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        Microsoft.Extensions.Hosting.IHost client;
        try
        {
            client = await HiRefClusterHosting.StartClientAsync([gateway], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new IOException($"--cluster {gateway}: cannot connect to the cluster ({ex.Message}).", ex);
        }

        using (client)
        {
            var solver = new DistributedHierarchicalRefinement(HiRefClusterHosting.Client(client), store);
            var sink = progress is null ? null : new Progress<HiRefJobStatus>(s => progress.Report(new SolverProgress(s.Stage, s.BlocksDone, Math.Max(1, s.BlocksInLevel), double.NaN)));
            try
            {
                return await solver.SolveAsync(x, y, spec, jobId, sink, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await client.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
