using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Geometry;

/// <summary>
/// The squared Euclidean cost between the points of one Cartesian grid (an image, a volume) and themselves:
/// C(i, j) = s·Σ_d (x_d[i_d] − x_d[j_d])², points flattened in row-major (C) order, the last axis fastest, as NumPy
/// flattens an image. The kernel exp(−C/ε) is the tensor product of one small kernel per axis, so the soft-min is
/// applied axis by axis and the N × N cost matrix is never formed (Solomon et al. 2015, "Convolutional Wasserstein
/// distances", the separable case; POT's <c>convolutional_barycenter2d</c> on <c>linspace(0, 1, n)</c> axes).
/// </summary>
/// <remarks>
/// Time: <see cref="SoftMin"/> costs O(N·Σ_d n_d) (N = Π_d n_d points) instead of O(N²); every other operation falls back
/// to the tiled defaults of <see cref="CostGeometry{T}"/> over <see cref="FillCostBlock"/> (O(N²·D)). Memory: the axes, and
/// per soft-min one n_d × n_d log-kernel per axis plus two N-vectors.
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class GridGeometry<T> : CostGeometry<T>, IPlanCostGeometry<T>, ISeparableGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _axes;

    /// <summary>A grid from the coordinates along each axis (not copied).</summary>
    /// <param name="axes">One coordinate array per axis (at least one axis, each non-empty and finite).</param>
    /// <param name="scaleFactor">Multiplier of every cost (default 1).</param>
    /// <exception cref="InputValidationException">No axis, an empty axis, a non-finite coordinate, or a grid of more than 2³¹ − 1 points.</exception>
    public GridGeometry(IReadOnlyList<T[]> axes, T? scaleFactor = null)
        : base(CountPoints(axes), CountPoints(axes), scaleFactor ?? T.One)
    {
        _axes = [.. axes];
        for (var d = 0; d < _axes.Length; d++)
        {
            for (var k = 0; k < _axes[d].Length; k++)
            {
                if (!T.IsFinite(_axes[d][k]))
                {
                    throw new InputValidationException(InputProblem.NonFinite, $"Grid axis {d} coordinate {k} is {_axes[d][k]}.", nameof(axes), k);
                }
            }
        }
    }

    /// <summary>The grid of an image with POT's axes: <c>linspace(0, 1, height)</c> × <c>linspace(0, 1, width)</c>.</summary>
    /// <param name="height">Rows of the image (the slow axis).</param>
    /// <param name="width">Columns of the image (the fast axis).</param>
    /// <returns>The geometry of height·width points.</returns>
    /// <exception cref="InputValidationException">A side is less than 1.</exception>
    public static GridGeometry<T> UnitImage(int height, int width) => new([Linspace(height), Linspace(width)]);

    /// <inheritdoc/>
    public IReadOnlyList<int> Shape => _axes.Select(a => a.Length).ToArray();

    /// <summary>The coordinates along axis <paramref name="axis"/>.</summary>
    /// <param name="axis">0 ≤ axis &lt; the number of axes.</param>
    public ReadOnlySpan<T> AxisCoordinates(int axis) => _axes[axis];

    /// <summary>The n_d × n_d costs s·(x_i − x_j)² of axis <paramref name="axis"/>, row-major (symmetric), in a new array. O(n_d²).</summary>
    /// <param name="axis">0 ≤ axis &lt; the number of axes.</param>
    /// <returns>The axis cost matrix.</returns>
    public T[] AxisCosts(int axis)
    {
        var d = axis;
        var x = _axes[d];
        var n = x.Length;
        var costs = new T[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var diff = x[i] - x[j];
                costs[(i * n) + j] = ScaleFactor * diff * diff;
            }
        }

        return costs;
    }

    /// <inheritdoc/>
    public override T Cost(int i, int j)
    {
        var sum = T.Zero;
        for (var d = _axes.Length - 1; d >= 0; d--)
        {
            var n = _axes[d].Length;
            var diff = _axes[d][i % n] - _axes[d][j % n];
            sum += diff * diff;
            i /= n;
            j /= n;
        }

        return ScaleFactor * sum;
    }

    /// <inheritdoc/>
    public override void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<T> destination)
    {
        CheckBlockRange(rowStart, rowCount, colStart, colCount, destination.Length);
        for (var r = 0; r < rowCount; r++)
        {
            for (var c = 0; c < colCount; c++)
            {
                destination[(r * colCount) + c] = Cost(rowStart + r, colStart + c);
            }
        }
    }

    /// <inheritdoc/>
    public override CostGeometry<T> Transpose() => this;

    /// <summary>
    /// The soft-min, axis by axis: z = ℓ + h/ε, then for each axis d, z ← log Σ_{j_d} exp(−s(x_d[i_d] − x_d[j_d])²/ε + z),
    /// and dst = −ε z. The same value as the default (up to rounding), in O(N·Σ_d n_d) time.
    /// </summary>
    /// <inheritdoc/>
    public override void SoftMin(ReadOnlySpan<T> potential, ReadOnlySpan<T> logWeights, T epsilon, Axis axis, Span<T> destination)
    {
        CheckReduction(potential, logWeights, destination, axis);
        CheckEpsilon(epsilon);
        var z = new T[Rows];
        var invEps = T.One / epsilon;
        for (var k = 0; k < z.Length; k++)
        {
            z[k] = (potential[k] * invEps) + (logWeights.IsEmpty ? T.Zero : logWeights[k]);
        }

        for (var d = 0; d < _axes.Length; d++)
        {
            ReduceAxis(z, d, LogKernel(d, epsilon, withCost: false));
        }

        for (var k = 0; k < z.Length; k++)
        {
            destination[k] = -epsilon * z[k];
        }
    }

    /// <summary>
    /// ⟨C, P⟩ of the plan P_ij = exp(ℓ_i + (f_i + g_j − C_ij)/ε) without forming P or C: Σ_d of the separable products in
    /// which axis d's kernel K_d is replaced by C_d∘K_d. O(D·N·Σ_d n_d) time.
    /// </summary>
    double IPlanCostGeometry<T>.PlanCost(ReadOnlySpan<T> f, ReadOnlySpan<T> logA, ReadOnlySpan<T> g, T epsilon)
    {
        var invEps = T.One / epsilon;
        var total = 0.0;
        var left = new T[Rows];
        for (var k = 0; k < Rows; k++)
        {
            left[k] = (f[k] * invEps) + (logA.IsEmpty ? T.Zero : logA[k]);
        }

        for (var costAxis = 0; costAxis < _axes.Length; costAxis++)
        {
            var z = new T[Rows];
            for (var k = 0; k < Rows; k++)
            {
                z[k] = g[k] * invEps;
            }

            for (var d = 0; d < _axes.Length; d++)
            {
                ReduceAxis(z, d, LogKernel(d, epsilon, withCost: d == costAxis));
            }

            for (var k = 0; k < Rows; k++)
            {
                var term = left[k] + z[k];
                if (T.IsFinite(term))
                {
                    total += double.CreateTruncating(T.Exp(term));
                }
            }
        }

        return total;
    }

    /// <inheritdoc/>
    protected override CostGeometry<T> WithScaleFactorCore(T factor) => new GridGeometry<T>(_axes, factor);

    private static int CountPoints(IReadOnlyList<T[]> axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Count == 0)
        {
            throw new InputValidationException(InputProblem.Empty, "A grid needs at least one axis.", nameof(axes));
        }

        long count = 1;
        for (var d = 0; d < axes.Count; d++)
        {
            ArgumentNullException.ThrowIfNull(axes[d]);
            if (axes[d].Length == 0)
            {
                throw new InputValidationException(InputProblem.Empty, $"Grid axis {d} has no coordinates.", nameof(axes), d);
            }

            count *= axes[d].Length;
            if (count > int.MaxValue)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, "The grid has more than 2³¹ − 1 points.", nameof(axes));
            }
        }

        return (int)count;
    }

    private static T[] Linspace(int n)
    {
        if (n < 1)
        {
            throw new InputValidationException(InputProblem.Empty, $"An image side must be at least 1 (got {n}).", nameof(n));
        }

        var axis = new T[n];
        for (var k = 0; k < n; k++)
        {
            axis[k] = n == 1 ? T.Zero : T.CreateTruncating(k / (double)(n - 1));
        }

        return axis;
    }

    /// <summary>The n_d × n_d log-kernel −s(x_i − x_j)²/ε (plus log(s(x_i − x_j)²) when <paramref name="withCost"/>, −∞ where that cost is 0).</summary>
    private T[] LogKernel(int d, T epsilon, bool withCost)
    {
        var kernel = AxisCosts(d);
        for (var k = 0; k < kernel.Length; k++)
        {
            var c = kernel[k];
            var value = -c / epsilon;
            if (withCost)
            {
                value = c > T.Zero ? value + T.Log(c) : T.NegativeInfinity;
            }

            kernel[k] = value;
        }

        return kernel;
    }

    /// <summary>In place, along axis d: z[.., i, ..] ← log Σ_j exp(kernel[i, j] + z[.., j, ..]) (stabilized per output entry).</summary>
    private void ReduceAxis(T[] z, int d, T[] kernel)
    {
        var n = _axes[d].Length;
        var inner = 1;
        for (var e = d + 1; e < _axes.Length; e++)
        {
            inner *= _axes[e].Length;
        }

        var outer = z.Length / (n * inner);
        var lines = outer * inner;
        void Line(int line, T[] input, T[] row, T[] output)
        {
            var o = line / inner;
            var q = line % inner;
            var start = (o * n * inner) + q;
            for (var j = 0; j < n; j++)
            {
                input[j] = z[start + (j * inner)];
            }

            for (var i = 0; i < n; i++)
            {
                var r = row.AsSpan(0, n);
                TensorPrimitives.Add(kernel.AsSpan(i * n, n), input.AsSpan(0, n), r);
                var max = TensorPrimitives.Max<T>(r);
                if (!T.IsFinite(max))
                {
                    output[i] = max;
                    continue;
                }

                TensorPrimitives.Subtract(r, max, r);
                TensorPrimitives.Exp(r, r);
                output[i] = max + T.Log(TensorPrimitives.Sum<T>(r));
            }

            for (var i = 0; i < n; i++)
            {
                z[start + (i * inner)] = output[i];
            }
        }

        if ((long)lines * n * n < ParallelThreshold || lines == 1)
        {
            var input = new T[n];
            var row = new T[n];
            var output = new T[n];
            for (var line = 0; line < lines; line++)
            {
                Line(line, input, row, output);
            }

            return;
        }

        Parallel.For(
            0,
            lines,
            () => (new T[n], new T[n], new T[n]),
            (line, _, buffers) =>
            {
                Line(line, buffers.Item1, buffers.Item2, buffers.Item3);
                return buffers;
            },
            _ => { });
    }
}
