using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.IO;
using Monge.Solvers;
using Monge.Tools.Barycenters;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>
/// <c>monge barycenter --method quantile</c>: the exact W₂ barycenter of one-dimensional measures by averaging quantile
/// functions (<see cref="OneDimensionalBarycenter"/>). Each input is a vector (or n × 1) of values, FILE or FILE#KEY, with
/// optional <c>--input-weights</c>. Without <c>--size</c> the output is the barycenter itself as an N × 2 array (column 0
/// the sorted atoms, column 1 their masses, N ≤ Σ n_s − S + 1); with <c>--size K</c> the exact best K points with
/// weights 1/K (K × 1).
/// </summary>
public sealed class QuantileBarycenterMethod : IBarycenterMethod
{
    /// <inheritdoc/>
    public string Name => "quantile";

    /// <inheritdoc/>
    public bool CanPlot => false;

    /// <inheritdoc/>
    public string Description => "exact barycenter of 1-D measures (quantile functions averaged); output N × 2 (atom, mass), or K × 1 points with --size K";

    /// <inheritdoc/>
    public IEnumerable<Option> CreateOptions() =>
    [
        new Option<int?>(FreeBarycenterMethod.SizeName) { Description = "K: return the exact best K points with weights 1/K instead of the whole barycenter" },
        new Option<string[]>(FreeBarycenterMethod.InputWeightsName) { Description = "one weight vector per input (FILE or FILE#KEY), used as given: each must sum to one unless --normalize-weights; default uniform", AllowMultipleArgumentsPerToken = true },
        FreeBarycenterMethod.NormalizeInputs(),
    ];

    /// <inheritdoc/>
    public BarycenterOutcome Run(BarycenterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clouds = input.LoadClouds();
        for (var k = 0; k < clouds.Count; k++)
        {
            if (clouds[k].Dimension != 1)
            {
                throw new UsageException($"--inputs: input {k + 1} ({input.Inputs[k]}) has dimension {clouds[k].Dimension}; --method quantile needs one-dimensional inputs (use --method free for point clouds).");
            }
        }

        var size = input.Parse.GetValue<int?>(FreeBarycenterMethod.SizeName);
        if (size is < 1)
        {
            throw new UsageException($"{FreeBarycenterMethod.SizeName} must be at least 1 (got {size}).");
        }

        var result = size is null ? OneDimensionalBarycenter.Solve(clouds, input.Weights) : OneDimensionalBarycenter.SolveFixedSize(clouds, size.Value, input.Weights);
        var n = result.Size;
        NumericArray output;
        if (size is null)
        {
            var table = new double[n * 2];
            for (var i = 0; i < n; i++)
            {
                table[2 * i] = result.Points[i];
                table[(2 * i) + 1] = result.Weights[i];
            }

            output = new NumericArray(table, n, 2);
        }
        else
        {
            output = new NumericArray(result.Points.ToArray(), n, 1);
        }

        var convergence = new Convergence(SolverStatus.Converged, 0, 0, 0, [], TimeSpan.Zero);
        var summary = new JsonObject
        {
            ["objective"] = JsonOutput.Number(result.Objective),
            ["objective_kind"] = "sum_k w_k W2^2(barycenter, input k), exact (closed form in 1-D)",
            ["values"] = new JsonArray(result.Values.Select(v => JsonOutput.Number(v)).ToArray()),
            ["atoms"] = n,
            ["fixed_size"] = size is not null,
            ["converged"] = true,
            ["status"] = "Converged",
            ["iterations"] = 0,
        };
        return new BarycenterOutcome(summary, convergence, output);
    }
}
