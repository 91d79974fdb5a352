using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Tools.Maps;

/// <summary>
/// The map fitted by <see cref="ProgOT"/>: K entropic stages applied in turn, z ← (1 − α_k)·z + α_k·T_k(z) for
/// k &lt; K − 1, then T_{K−1}(z) (Kassraie et al. 2024, Algorithm 2). Every stage maps to the same target points. Applying costs K times one
/// <see cref="EntropicMap"/> application: O(K·k·m·d) time, O(k·d + m) memory.
/// </summary>
public sealed class ProgOTMap : ITransportMap
{
    private readonly EntropicMap[] _stages;
    private readonly double[] _alphas;

    /// <summary>Creates a map from its stages.</summary>
    /// <param name="stages">The stage maps T_k, all of the same dimension and cost.</param>
    /// <param name="alphas">α_k ∈ [0, 1], one per stage.</param>
    /// <exception cref="InputValidationException">No stage, lengths differ, α outside [0, 1], or stages disagree on dimension or cost.</exception>
    public ProgOTMap(IReadOnlyList<EntropicMap> stages, IReadOnlyList<double> alphas)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(alphas);
        if (stages.Count == 0 || stages.Count != alphas.Count)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ProgOT needs one α per stage and at least one stage (got {stages.Count} stages, {alphas.Count} α).", nameof(alphas));
        }

        for (var k = 0; k < alphas.Count; k++)
        {
            if (!(alphas[k] >= 0 && alphas[k] <= 1))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"α_{k} = {alphas[k]} is outside [0, 1].", nameof(alphas), k);
            }

            if (stages[k].Dimension != stages[0].Dimension || stages[k].Cost.Name != stages[0].Cost.Name)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Stage {k} differs from stage 0 in dimension or cost.", nameof(stages), k);
            }
        }

        _stages = [.. stages];
        _alphas = [.. alphas];
    }

    /// <summary>The stage maps T_k.</summary>
    public IReadOnlyList<EntropicMap> Stages => _stages;

    /// <summary>The step sizes α_k.</summary>
    public IReadOnlyList<double> Alphas => _alphas;

    /// <summary>The ε of every stage.</summary>
    public IReadOnlyList<double> Epsilons => Array.ConvertAll(_stages, s => s.Epsilon);

    /// <inheritdoc />
    public int Dimension => _stages[0].Dimension;

    /// <inheritdoc />
    public ICostFunction<double> Cost => _stages[0].Cost;

    /// <inheritdoc />
    public PointCloud<double> Apply(PointCloud<double> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var x = points;
        for (var k = 0; k < _stages.Length - 1; k++)
        {
            x = Step(x, _stages[k].Apply(x), _alphas[k]);
        }

        // The estimate is the last stage's push-forward T_{K−1}(z_{K−1}), not z_K: the two agree when α_{K−1} = 1
        // (constant-speed and accelerating schedules) and differ for the decelerating one, which never reaches t = 1.
        return _stages[^1].Apply(x);
    }

    /// <summary>(1 − α)·x + α·t, keeping the weights of <paramref name="x"/>.</summary>
    internal static PointCloud<double> Step(PointCloud<double> x, PointCloud<double> t, double alpha)
    {
        var data = new double[x.Data.Length];
        var xs = x.Data;
        var ts = t.Data;
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = ((1 - alpha) * xs[i]) + (alpha * ts[i]);
        }

        return new PointCloud<double>(data, x.Count, x.Dimension, x.HasWeights ? x.Weights.ToArray() : null);
    }
}
