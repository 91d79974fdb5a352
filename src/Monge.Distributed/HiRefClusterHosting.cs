using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Monge.Distributed.Storage;
using Orleans.Configuration;

namespace Monge.Distributed;

/// <summary>
/// Hosts for a plain TCP cluster (what <c>monge cluster silo</c> and <c>monge cluster local</c> run): silos that find each
/// other through a primary silo (Orleans development clustering) and a client that connects to static gateways. For a
/// real deployment use a clustering provider (Redis, ADO.NET) instead of a primary silo: see docs/distributed.md.
/// </summary>
public static class HiRefClusterHosting
{
    /// <summary>The cluster id and service id of the silos and clients built here.</summary>
    public const string ClusterId = "monge";

    /// <summary>Builds (does not start) a silo host.</summary>
    /// <param name="store">The store every silo and client share.</param>
    /// <param name="address">The address the silo advertises (loopback for a one-host cluster).</param>
    /// <param name="siloPort">The silo-to-silo port.</param>
    /// <param name="gatewayPort">The client gateway port.</param>
    /// <param name="primary">The primary silo's silo-to-silo endpoint, or null if this silo is the primary.</param>
    /// <param name="cores">Block splits at once on this silo (−1: processors minus one).</param>
    /// <param name="minimumLogLevel">Console log level (default Warning).</param>
    /// <returns>The host; start it with <see cref="IHost.StartAsync"/>.</returns>
    public static IHost BuildSilo(IBlockStore store, IPAddress address, int siloPort, int gatewayPort, IPEndPoint? primary, int cores = -1, LogLevel minimumLogLevel = LogLevel.Warning)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(address);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        // Logs go to stderr: stdout is for results (monge --json).
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(minimumLogLevel);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo =>
        {
            silo.UseDevelopmentClustering(primary ?? new IPEndPoint(address, siloPort));
            silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ClusterId;
            });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // A lost silo is declared dead within a few seconds, so its blocks are retried elsewhere soon.
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.AddMongeHiRef(store, cores);
        });
        return builder.Build();
    }

    /// <summary>Builds and starts a client host connected to the given gateways.</summary>
    /// <param name="gateways">Gateway endpoints (at least one).</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The started host; its <see cref="IClusterClient"/> is in <see cref="IHost.Services"/>.</returns>
    public static async Task<IHost> StartClientAsync(IReadOnlyList<IPEndPoint> gateways, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering([.. gateways]);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ClusterId;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>The cluster client of a host built by <see cref="StartClientAsync"/> or <see cref="BuildSilo"/>.</summary>
    /// <param name="host">The host.</param>
    public static IClusterClient Client(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Services.GetRequiredService<IClusterClient>();
    }
}
