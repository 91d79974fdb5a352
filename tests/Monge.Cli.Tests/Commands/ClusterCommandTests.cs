using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Monge.IO;

namespace Monge.Cli.Tests.Commands;

public sealed class ClusterCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void ClusterLocal_TwoSilos_SamePermutationAsHiref()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "1500", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var silo = FreePorts(2);
        var gateway = FreePorts(2);
        var (code, stdout, stderr) = _cli.Run(
            "cluster", "local", "--silos", "2", "--port", silo.ToString(System.Globalization.CultureInfo.InvariantCulture), "--gateway-port", gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--store", _cli.File("store"), "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--leaf-size", "64", "--seed", "4", "--quality", "fast", "--subtree-size", "400", "--out", _cli.File("c.npy"), "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("cluster", json.RootElement.GetProperty("method").GetString());
        Assert.True(json.RootElement.GetProperty("checkpointed_levels").GetInt32() >= 1);
        Assert.True(json.RootElement.GetProperty("subtrees").GetInt32() >= 2);
        var hiref = _cli.Run("match", "--method", "hiref", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--leaf-size", "64", "--seed", "4", "--quality", "fast", "--out", _cli.File("h.npy"));
        Assert.True(hiref.Code == 0, hiref.Err);
        Assert.Equal(NpyFormat.Read(_cli.File("h.npy")).ToDoubleArray(), NpyFormat.Read(_cli.File("c.npy")).ToDoubleArray());
    }

    [Theory]
    [InlineData("--store", "S")]
    [InlineData("--cluster", "127.0.0.1:1")]
    public void MatchCluster_MissingClusterOrStore_ExitsTwoNamingTheFlag(string flag, string value)
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "50", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var (code, _, stderr) = _cli.Run("match", "--method", "cluster", flag, value, "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--out", _cli.File("p.npy"));
        Assert.Equal(2, code);
        Assert.Contains(flag == "--store" ? "--cluster" : "--store", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("p.npy")));
    }

    [Fact]
    public void MatchCluster_SlabRounds_IsRejected()
    {
        var (code, _, stderr) = _cli.Run("match", "--method", "cluster", "--cluster", "127.0.0.1:1", "--store", _cli.Folder, "--slab-rounds", "2", "--source", "x.npy", "--target", "y.npy", "--out", _cli.File("p.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--slab-rounds", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MatchCluster_NegativeSubtreeSize_ExitsTwoNamingTheFlag()
    {
        var (code, _, stderr) = _cli.Run("match", "--method", "cluster", "--cluster", "127.0.0.1:1", "--store", _cli.Folder, "--subtree-size", "-1", "--source", "x.npy", "--target", "y.npy", "--out", _cli.File("p.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--subtree-size", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MatchCluster_TrunkShardsBelowMinusOne_ExitsTwoNamingTheFlag()
    {
        var (code, _, stderr) = _cli.Run("match", "--method", "cluster", "--cluster", "127.0.0.1:1", "--store", _cli.Folder, "--trunk-shards", "-2", "--source", "x.npy", "--target", "y.npy", "--out", _cli.File("p.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--trunk-shards", stderr, StringComparison.Ordinal);
    }

    // The form `monge match --cluster HOST:PORT --store DIR …` (no --method) runs the cluster method: its own
    // checks answer (here the bad endpoint), not "--method auto does not use --cluster"; an explicit other method still
    // refuses --cluster.
    [Fact]
    public void Match_ClusterWithoutMethod_RunsTheClusterMethod()
    {
        var (code, _, stderr) = _cli.Run("match", "--cluster", "localhost", "--store", _cli.Folder, "--source", "x.npy", "--target", "y.npy", "--out", _cli.File("p.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--cluster: 'localhost' is not HOST:PORT", stderr, StringComparison.Ordinal);
        var (hirefCode, _, hirefErr) = _cli.Run("match", "--method", "hiref", "--cluster", "127.0.0.1:1", "--store", _cli.Folder, "--source", "x.npy", "--target", "y.npy", "--out", _cli.File("p.npy"));
        Assert.Equal(2, hirefCode);
        Assert.Contains("--method hiref does not use --cluster", hirefErr, StringComparison.Ordinal);
    }

    [Fact]
    public void MatchCluster_BadEndpoint_ExitsTwo()
    {
        var (code, _, stderr) = _cli.Run("match", "--method", "cluster", "--cluster", "localhost", "--store", _cli.Folder, "--source", "x.npy", "--target", "y.npy", "--out", _cli.File("p.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--cluster: 'localhost' is not HOST:PORT", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterLocal_MethodGiven_ExitsTwo()
    {
        var (code, _, stderr) = _cli.Run("cluster", "local", "--store", _cli.Folder, "--method", "hiref", "--source", "x.npy", "--target", "y.npy", "--out", _cli.File("p.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--method", stderr, StringComparison.Ordinal);
    }

    // monge cluster local checks the match's options and inputs before it starts a silo: a bad flag is one line on stderr
    // (no "local cluster: …" banner, which is printed when the silos start) and exit 2.
    [Theory]
    [InlineData("--slab-rounds", "2", "--slab-rounds")]
    [InlineData("--subtree-size", "-1", "--subtree-size")]
    [InlineData("--trunk-shards", "-2", "--trunk-shards")]
    [InlineData("--job-id", "a b", "--job-id")]
    [InlineData("--leaf-size", "0", "--leaf-size")]
    public void ClusterLocal_BadMatchFlag_RefusedBeforeAnySiloStarts(string flag, string value, string named)
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "50", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var silo = FreePorts(3);
        var gateway = FreePorts(3);
        var (code, _, stderr) = _cli.Run(
            "cluster", "local", "--silos", "3", "--port", silo.ToString(System.Globalization.CultureInfo.InvariantCulture), "--gateway-port", gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--store", _cli.File("store"), "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--out", _cli.File("p.npy"), flag, value);
        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, stderr);
        Assert.Contains(named, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("local cluster", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("p.npy")));
    }

    // A base port with `count` free consecutive ports above it (best effort: ports are probed, then released).
    private static int FreePorts(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var start = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (start + count < 65535 && Enumerable.Range(start, count).All(IsFree))
            {
                return start;
            }
        }

        throw new InvalidOperationException("No free loopback ports.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
