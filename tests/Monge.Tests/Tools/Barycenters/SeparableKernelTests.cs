using Monge.Geometry;
using Monge.Problems;
using Monge.Testing;
using Monge.Tools.Barycenters;

namespace Monge.Tests.Tools.Barycenters;

/// <summary>
/// <see cref="SeparableKernel"/> (the batched axis-by-axis kernel product of the grid barycenter) against the dense kernel
/// exp(−C/ε) built entry by entry, on asymmetric per-axis costs (so K and Kᵀ differ) and odd sizes (register-tile and
/// row-block tails, the parallel work list); and the barycenter's kernel path reached through the
/// <see cref="ISeparableGeometry{T}"/> capability on a geometry that is not a <see cref="GridGeometry{T}"/>, against the
/// log-domain path on the tiled dense soft-min of the same costs.
/// </summary>
public sealed class SeparableKernelTests
{
    public static TheoryData<int[]> Shapes() => new() { new[] { 1 }, new[] { 7 }, new[] { 5, 3 }, new[] { 9, 11 }, new[] { 3, 4, 2 }, new[] { 40, 37 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Apply_AnyShape_MatchesTheDenseKernel(int[] shape)
    {
        var geometry = AxisCostGeometry.Shifted(shape, shift: 0.03);
        var epsilon = 0.07;
        var n = geometry.Rows;
        var rng = Seeds.Create(shape.Sum());
        var x = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray()).ToArray();
        var kernel = new SeparableKernel(geometry, epsilon);
        foreach (var transpose in new[] { false, true })
        {
            var y = x.Select(_ => new double[n]).ToArray();
            var scratch = x.Select(_ => new double[n]).ToArray();
            kernel.Apply(x, scratch, y, x.Length, transpose);
            for (var s = 0; s < x.Length; s++)
            {
                var expected = new double[n];
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        var c = transpose ? geometry.Cost(j, i) : geometry.Cost(i, j);
                        expected[i] += Math.Exp(-c / epsilon) * x[s][j];
                    }
                }

                NumericAssert.Close(expected, y[s], rtol: 1e-12, atol: 1e-300);
            }
        }
    }

    [Fact]
    public void Apply_Batch_SameBitsAsOneVectorAtATime()
    {
        // Every entry is one sum in a fixed order whatever the work list's schedule: a batch of three (run in parallel)
        // gives exactly what three single products give.
        var geometry = AxisCostGeometry.Shifted([40, 37], shift: 0.01);
        var n = geometry.Rows;
        var rng = Seeds.Create(5);
        var x = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray()).ToArray();
        var kernel = new SeparableKernel(geometry, 0.05);
        var batch = x.Select(_ => new double[n]).ToArray();
        kernel.Apply(x, x.Select(_ => new double[n]).ToArray(), batch, x.Length);
        for (var s = 0; s < x.Length; s++)
        {
            var single = new double[n];
            kernel.Apply(x[s], new double[n], single);
            Assert.Equal(single, batch[s]);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ApplySerial_AnyShape_SameBitsAsTheBatchedWorkList(int[] shape)
    {
        // The one-input-per-thread schedule of the barycenter's half step and the batched row-block work list run the
        // same fixed-order sums (and the AVX-512 tile the same lanes as the narrow tiles): equal bits, both directions.
        var geometry = AxisCostGeometry.Shifted(shape, shift: 0.02);
        var n = geometry.Rows;
        var rng = Seeds.Create(100 + shape.Sum());
        var x = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray()).ToArray();
        var kernel = new SeparableKernel(geometry, 0.06);
        Assert.Equal(n * (long)shape.Sum(), kernel.WorkPerVector);
        foreach (var transpose in new[] { false, true })
        {
            var batch = x.Select(_ => new double[n]).ToArray();
            kernel.Apply(x, x.Select(_ => new double[n]).ToArray(), batch, x.Length, transpose);
            for (var s = 0; s < x.Length; s++)
            {
                var serial = new double[n];
                kernel.ApplySerial(x[s], new double[n], serial, transpose);
                Assert.Equal(batch[s], serial);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Solve_SeparableGeometryThatIsNotAGrid_KernelPathMatchesTheLogPath(int variant)
    {
        var geometry = AxisCostGeometry.Shifted([6, 7], shift: 0.05);
        var rng = Seeds.Create(11 + variant);
        var inputs = Enumerable.Range(0, 3).Select(s =>
        {
            var h = Enumerable.Range(0, geometry.Rows).Select(_ => rng.NextDouble() < 0.3 ? 0 : rng.NextDouble()).ToArray();
            h[s] += 0.1;
            var total = h.Sum();
            return h.Select(v => v / total).ToArray();
        }).ToArray();
        var solver = new FixedSupportBarycenter { Epsilon = 0.05, Threshold = 0, MaxIterations = 60 };
        if (variant == 1)
        {
            solver = solver with { Relaxation = Relaxation.FromRho(0.3, 0.3) };
        }

        var kernel = solver.Solve(geometry, inputs, [0.5, 0.3, 0.2]);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(geometry, inputs, [0.5, 0.3, 0.2]);
        Assert.True(kernel.UsedKernelDomain);
        Assert.False(log.UsedKernelDomain);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14);
        NumericAssert.Close(log.Costs, kernel.Costs, rtol: 1e-8);
    }

    /// <summary>C(i, j) = Σ_d |x_d[i_d] − y_d[j_d]|^1.5 with y = x + shift: separable, not squared Euclidean, asymmetric.</summary>
    private sealed class AxisCostGeometry : CostGeometry<double>, ISeparableGeometry<double>
    {
        private readonly int[] _shape;
        private readonly double[][] _costs;

        private AxisCostGeometry(int[] shape, double[][] costs)
            : base(shape.Aggregate(1, (a, b) => a * b), shape.Aggregate(1, (a, b) => a * b), 1.0)
        {
            _shape = shape;
            _costs = costs;
        }

        public IReadOnlyList<int> Shape => _shape;

        public static AxisCostGeometry Shifted(int[] shape, double shift) => new(shape, shape.Select(n =>
        {
            var costs = new double[n * n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    var x = n == 1 ? 0 : i / (double)(n - 1);
                    var y = (n == 1 ? 0 : j / (double)(n - 1)) + shift;
                    costs[(i * n) + j] = Math.Pow(Math.Abs(x - y), 1.5);
                }
            }

            return costs;
        }).ToArray());

        public double[] AxisCosts(int axis) => (double[])_costs[axis].Clone();

        public override double Cost(int i, int j)
        {
            var sum = 0.0;
            for (var d = _shape.Length - 1; d >= 0; d--)
            {
                var n = _shape[d];
                sum += _costs[d][((i % n) * n) + (j % n)];
                i /= n;
                j /= n;
            }

            return sum;
        }

        public override void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<double> destination)
        {
            for (var r = 0; r < rowCount; r++)
            {
                for (var c = 0; c < colCount; c++)
                {
                    destination[(r * colCount) + c] = Cost(rowStart + r, colStart + c);
                }
            }
        }

        public override CostGeometry<double> Transpose() => new AxisCostGeometry(_shape, _costs.Select((c, d) =>
        {
            var n = _shape[d];
            var t = new double[n * n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    t[(j * n) + i] = c[(i * n) + j];
                }
            }

            return t;
        }).ToArray());

        protected override CostGeometry<double> WithScaleFactorCore(double factor) => throw new NotSupportedException();
    }
}
