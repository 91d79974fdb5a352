using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Hosting;
using Monge.Cli.Infrastructure;
using Monge.Distributed;
using Monge.Distributed.Storage;

namespace Monge.Cli.Commands.Cluster;

/// <summary>
/// <c>monge cluster</c>: <c>silo</c> runs one Orleans silo of a Hierarchical Refinement cluster until Ctrl+C;
/// <c>local</c> starts a loopback cluster in this process for one <c>monge match --method cluster</c> run.
/// </summary>
public static class ClusterCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var command = new Command("cluster", "Run Hierarchical Refinement on a Microsoft Orleans cluster (see docs/distributed.md).");
        command.Subcommands.Add(CreateSilo(context));
        command.Subcommands.Add(CreateLocal(context));
        return command;
    }

    private static Command CreateSilo(CliContext context)
    {
        var store = new Option<string>("--store") { Description = "The store directory every silo and client shares (created if missing).", Required = true };
        var address = new Option<string>("--address") { Description = "The address this silo advertises to the others (default 127.0.0.1; a routable address for several hosts).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Silo-to-silo port (default 11111).", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Client gateway port (default 30000); clients pass ADDRESS:GATEWAY-PORT to --cluster.", DefaultValueFactory = _ => 30000 };
        var primary = new Option<string?>("--primary") { Description = "The primary silo's ADDRESS:PORT (its silo port); omit on the primary itself." };
        var cores = new Option<int>("--cores") { Description = "Block splits at once on this silo (default: processors minus one).", DefaultValueFactory = _ => -1 };
        var command = new Command("silo", "Start one silo and run until Ctrl+C.") { store, address, port, gatewayPort, primary, cores };
        command.SetAction(result =>
        {
            var ip = ParseAddress(result.GetValue(address)!);
            var (p, g) = (CheckPort(result.GetValue(port), "--port"), CheckPort(result.GetValue(gatewayPort), "--gateway-port"));
            var primaryText = result.GetValue(primary);
            var primaryEndpoint = primaryText is null ? null : ClusterMatch.Resolve(ClusterMatch.ParseEndpoint(primaryText, "--primary"), "--primary");
            var c = result.GetValue(cores);
            if (c is 0 or < -1)
            {
                throw new UsageException($"--cores must be positive or -1 (got {c}).");
            }

            var blockStore = new DirectoryBlockStore(result.GetValue(store)!);
            using var host = HiRefClusterHosting.BuildSilo(blockStore, ip, p, g, primaryEndpoint, c);
            Start(host, $"--port {p} / --gateway-port {g}", context.Cancellation);
            context.Error.WriteLine($"silo up: silo {ip}:{p}, gateway {ip}:{g}, primary {primaryEndpoint?.ToString() ?? "itself"}, store {blockStore.Root}; Ctrl+C stops it.");
            context.Error.Flush();
            // Ctrl+C, or SIGTERM (the host's console lifetime stops the application and waits for this method to return).
            var lifetime = (IHostApplicationLifetime)host.Services.GetService(typeof(IHostApplicationLifetime))!;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation, lifetime.ApplicationStopping);
            try
            {
                Task.Delay(Timeout.Infinite, stop.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: a normal stop.
            }

            host.StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            context.Error.WriteLine("silo stopped.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateLocal(CliContext context)
    {
        var silos = new Option<int>("--silos") { Description = "Silos to start on loopback (default 3, at most 16).", DefaultValueFactory = _ => 3 };
        var port = new Option<int>("--port") { Description = "First silo port (silo k uses PORT + k; default 11111).", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "First gateway port (default 30000).", DefaultValueFactory = _ => 30000 };
        var cores = new Option<int>("--cores") { Description = "Block splits at once per silo (default 1).", DefaultValueFactory = _ => 1 };
        var command = new Command(
            "local",
            "Start a loopback cluster in this process, run one match on it and stop: monge cluster local --silos 3 --store DIR --source A --target B --out C "
            + "[--quality/--leaf-size/--rank-schedule/--seed/--job-id/--json/--overwrite ...]; every other option is monge match's (--method cluster is implied).")
        {
            silos, port, gatewayPort, cores,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(result =>
        {
            var n = result.GetValue(silos);
            if (n is < 1 or > 16)
            {
                throw new UsageException($"--silos must be in 1..16 (got {n}).");
            }

            var c = result.GetValue(cores);
            if (c < 1)
            {
                throw new UsageException($"--cores must be at least 1 (got {c}).");
            }

            var (p, g) = (CheckPort(result.GetValue(port), "--port"), CheckPort(result.GetValue(gatewayPort), "--gateway-port"));
            var rest = result.UnmatchedTokens.ToList();
            foreach (var owned in new[] { "--method", ClusterMatch.ClusterOption })
            {
                if (rest.Contains(owned, StringComparer.Ordinal))
                {
                    throw new UsageException($"monge cluster local sets {owned} itself; remove it.");
                }
            }

            var storeIndex = rest.IndexOf(ClusterMatch.StoreOption);
            if (storeIndex < 0 || storeIndex + 1 >= rest.Count)
            {
                throw new UsageException("monge cluster local needs --store DIR (the silos' store; created if missing).");
            }

            var store = new DirectoryBlockStore(rest[storeIndex + 1]);
            var hosts = new List<IHost>();
            // The silos start when the match has read and checked its options and inputs (ClusterMatch.BeforeConnect), so
            // a bad flag or input is refused with one line before any silo starts.
            ClusterMatch.BeforeConnect.Value = () =>
            {
                var primary = new IPEndPoint(IPAddress.Loopback, p);
                for (var k = 0; k < n; k++)
                {
                    var host = HiRefClusterHosting.BuildSilo(store, IPAddress.Loopback, p + k, g + k, k == 0 ? null : primary, c, Microsoft.Extensions.Logging.LogLevel.Error);
                    hosts.Add(host);
                    Start(host, $"--port {p + k} / --gateway-port {g + k}", context.Cancellation);
                }

                context.Error.WriteLine($"local cluster: {n} silos on 127.0.0.1 ports {p}..{p + n - 1}, gateways {g}..{g + n - 1}, store {store.Root}");
            };
            try
            {
                string[] args = ["match", "--method", "cluster", ClusterMatch.ClusterOption, $"127.0.0.1:{g}", .. rest];
                return MongeApp.Run(args, context.Out, context.Error, context.Cancellation);
            }
            finally
            {
                ClusterMatch.BeforeConnect.Value = null;
                for (var k = hosts.Count - 1; k >= 0; k--)
                {
                    hosts[k].StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                    hosts[k].Dispose();
                }
            }
        });
        return command;
    }

    private static void Start(IHost host, string ports, CancellationToken cancellationToken)
    {
        try
        {
            host.StartAsync(cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new IOException($"{ports}: the silo did not start ({ex.GetBaseException().Message}).", ex);
        }
    }

    private static IPAddress ParseAddress(string text) =>
        IPAddress.TryParse(text, out var ip) ? ip : throw new UsageException($"--address: '{text}' is not an IP address.");

    private static int CheckPort(int port, string option) =>
        port is >= 1 and <= 65535 ? port : throw new UsageException($"{option} must be in 1..65535 (got {port}).");
}
