using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Testing;
using Monge.Tools.Barycenters;

namespace Monge.Tests.Tools.Barycenters;

/// <summary>
/// <see cref="FixedSupportBarycenter.Momentum"/>: over-relaxing the barycenter side keeps IBP's fixed point (the same
/// barycenter as plain IBP, Momentum = 1, at a tight threshold, on the kernel and the log path), stops on the same rule in
/// fewer iterations, and is left out where it does not apply (debiased, unbalanced).
/// </summary>
public sealed class BarycenterOverRelaxationTests
{
    [Theory]
    [InlineData(GridScaling.KernelDomain, null)]
    [InlineData(GridScaling.LogDomain, null)]
    [InlineData(GridScaling.KernelDomain, 1.5)]
    public void Solve_OverRelaxed_SameBarycenterAsPlainIbpInFewerIterations(GridScaling scaling, double? momentum)
    {
        var grid = GridGeometry<double>.UnitImage(16, 16);
        var inputs = Inputs(grid.Rows, 4, seed: 11);
        var plain = new FixedSupportBarycenter { Epsilon = 0.004, Threshold = 1e-11, GridScaling = scaling, Momentum = 1 };
        var reference = plain.Solve(grid, inputs);
        var relaxed = (plain with { Momentum = momentum }).Solve(grid, inputs);
        Assert.Equal(SolverStatus.Converged, reference.Convergence.Status);
        Assert.Equal(SolverStatus.Converged, relaxed.Convergence.Status);
        Assert.Equal(scaling == GridScaling.KernelDomain, relaxed.UsedKernelDomain);
        Assert.True(relaxed.Convergence.FinalError <= 1e-11);
        Assert.True(
            relaxed.Convergence.Iterations < 0.8 * reference.Convergence.Iterations,
            $"relaxed {relaxed.Convergence.Iterations} iterations, plain {reference.Convergence.Iterations}");
        var scale = reference.Barycenter.ToArray().Max();
        NumericAssert.Close(reference.Barycenter, relaxed.Barycenter, rtol: 1e-7, atol: 1e-9 * scale);
        NumericAssert.Close(reference.Cost, relaxed.Cost, rtol: 1e-7);
    }

    [Fact]
    public void Solve_DenseGeometry_OverRelaxedAgreesWithPlainIbp()
    {
        var grid = GridGeometry<double>.UnitImage(1, 40);
        var dense = new DenseGeometry<double>(grid.ToDense(), grid.Rows, grid.Cols);
        var inputs = Inputs(grid.Rows, 3, seed: 5);
        var plain = new FixedSupportBarycenter { Epsilon = 0.002, Threshold = 1e-11, Momentum = 1 };
        var reference = plain.Solve(dense, inputs, [0.2, 0.3, 0.5]);
        var relaxed = (plain with { Momentum = null }).Solve(dense, inputs, [0.2, 0.3, 0.5]);
        Assert.Equal(SolverStatus.Converged, relaxed.Convergence.Status);
        Assert.True(relaxed.Convergence.Iterations < reference.Convergence.Iterations, $"relaxed {relaxed.Convergence.Iterations}, plain {reference.Convergence.Iterations}");
        NumericAssert.Close(reference.Barycenter, relaxed.Barycenter, rtol: 1e-7, atol: 1e-9 * reference.Barycenter.ToArray().Max());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Solve_DebiasedOrUnbalanced_MomentumIsPlainIbp(bool debiased)
    {
        var grid = GridGeometry<double>.UnitImage(10, 12);
        var inputs = Inputs(grid.Rows, 2, seed: 3);
        var solver = debiased
            ? new FixedSupportBarycenter { Epsilon = 0.01, Threshold = 1e-9, Debiased = true, Momentum = 1 }
            : new FixedSupportBarycenter { Epsilon = 0.01, Threshold = 1e-9, Relaxation = Relaxation.FromRho(0.3, 0.3), Momentum = 1 };
        var plain = solver.Solve(grid, inputs);
        var other = (solver with { Momentum = 1.7 }).Solve(grid, inputs);
        Assert.Equal(plain.Convergence.Iterations, other.Convergence.Iterations);
        Assert.Equal(plain.Barycenter.ToArray(), other.Barycenter.ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.0)]
    [InlineData(double.NaN)]
    public void Solve_MomentumOutsideZeroTwo_Throws(double momentum)
    {
        var grid = GridGeometry<double>.UnitImage(4, 4);
        var ex = Assert.Throws<InputValidationException>(() => new FixedSupportBarycenter { Momentum = momentum }.Solve(grid, Inputs(grid.Rows, 2, seed: 1)));
        Assert.Equal(InputProblem.InvalidParameter, ex.Problem);
    }

    private static double[][] Inputs(int n, int k, int seed)
    {
        var rng = Seeds.Create(seed);
        return Enumerable.Range(0, k).Select(s =>
        {
            var center = rng.Next(n);
            var h = Enumerable.Range(0, n).Select(i => Math.Exp(-Math.Abs(i - center) / 6.0) * (0.5 + rng.NextDouble())).ToArray();
            var total = h.Sum();
            return h.Select(v => v / total).ToArray();
        }).ToArray();
    }
}
