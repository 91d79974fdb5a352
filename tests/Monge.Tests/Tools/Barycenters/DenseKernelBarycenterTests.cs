using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Testing;
using Monge.Tools.Barycenters;

namespace Monge.Tests.Tools.Barycenters;

/// <summary>
/// The stabilized dense kernel path of <see cref="FixedSupportBarycenter"/> (one shared dense support, absorption of large
/// scalings into log-potentials) against the log-domain path (an independent implementation: log-sum-exp soft-mins, no
/// kernel) on the same iterations: balanced, debiased and unbalanced, plain and over-relaxed, square and rectangular shared supports,
/// serial and parallel; at POT's example ε = 1e-3 on a normalized cost (kernel range 1000 nats, past the doubles) where
/// only absorption keeps the scalings finite; the choices of Auto and the refusals.
/// </summary>
public sealed class DenseKernelBarycenterTests
{
    [Theory]
    [InlineData(0, null)]
    [InlineData(0, 1.0)]
    [InlineData(1, null)]
    [InlineData(2, null)]
    [InlineData(2, 1.0)]
    public void Solve_DenseKernel_SameIteratesAsTheLogDomain(int variant, double? momentum)
    {
        var geometry = Line(37, 37);
        var inputs = Inputs(geometry.Rows, 3, variant, seed: 5 + variant);
        var solver = Variant(variant) with { Epsilon = 0.02, Threshold = 0, MaxIterations = 150, Momentum = momentum };
        var kernel = solver.Solve(geometry, inputs, [0.5, 0.3, 0.2]);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(geometry, inputs, [0.5, 0.3, 0.2]);
        Assert.True(kernel.UsedKernelDomain);
        Assert.False(log.UsedKernelDomain);
        Assert.Equal(log.Convergence.Iterations, kernel.Convergence.Iterations);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(log.Costs, kernel.Costs, rtol: 1e-8);
    }

    [Fact]
    public void Solve_RectangularSharedSupport_SameIteratesAsTheLogDomain()
    {
        // Every input on the same 29 points, the barycenter on 41 others: one shared 29 × 41 geometry (the general Solve).
        var geometry = Line(29, 41);
        var inputs = Inputs(geometry.Rows, 2, 0, seed: 11);
        CostGeometry<double>[] geometries = [geometry, geometry];
        var solver = new FixedSupportBarycenter { Epsilon = 0.01, Threshold = 0, MaxIterations = 100 };
        var kernel = solver.Solve(geometries, inputs, null, null);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(geometries, inputs, null, null);
        Assert.True(kernel.UsedKernelDomain);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(log.Costs, kernel.Costs, rtol: 1e-8);
    }

    [Fact]
    public void Solve_SmallEpsilon_AbsorbsAndConvergesToTheLogDomainAnswer()
    {
        // POT's plot_barycenter_1D set-up at n = 80: Gaussians N(16, 4) and N(48, 8) on arange(n), M = dist² / max, ε = 1e-3.
        // The kernel range is 1000 nats: without absorption the scalings leave the doubles (e^{±709}) and the run would
        // hand over to the log path (UsedKernelDomain false).
        var (geometry, inputs) = PotExample(80);
        var solver = new FixedSupportBarycenter { Epsilon = 1e-3, Threshold = 1e-10 };
        var kernel = solver.Solve(geometry, inputs, [0.8, 0.2]);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(geometry, inputs, [0.8, 0.2]);
        Assert.True(kernel.UsedKernelDomain);
        Assert.True(kernel.Absorptions > 0);
        Assert.Equal(SolverStatus.Converged, kernel.Convergence.Status);
        Assert.Equal(SolverStatus.Converged, log.Convergence.Status);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-6, atol: 1e-9 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(log.Cost, kernel.Cost, rtol: 1e-8);
        NumericAssert.Close(1.0, kernel.Mass, rtol: 1e-8);
    }

    [Fact]
    public void Solve_ParallelInputs_DeterministicAndSameAsTheLogDomain()
    {
        // 4 inputs on 300 points: 2·4·300² multiply-adds per iteration, above the threshold of the per-input parallel loop.
        var geometry = Line(300, 300);
        var inputs = Inputs(geometry.Rows, 4, 0, seed: 23);
        var solver = new FixedSupportBarycenter { Epsilon = 0.005, Threshold = 0, MaxIterations = 30 };
        var kernel = solver.Solve(geometry, inputs);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(geometry, inputs);
        Assert.True(kernel.UsedKernelDomain);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14 * log.Barycenter.ToArray().Max());
        Assert.Equal(kernel.Barycenter.ToArray(), solver.Solve(geometry, inputs).Barycenter.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solve_SmallEpsilonUnbalancedOrDebiased_AbsorbsWithTheLogDomainIterates(bool debiased)
    {
        // POT's 1-D set-up at n = 60, ε = 1e-3 (kernel range 1000 nats): only absorption keeps the kernel path's scalings in
        // the doubles. Debiased: the debiasing steps use the plain kernel, shifted by max c. Same iterates as the log path.
        var (geometry, inputs) = PotExample(60);
        var solver = debiased
            ? new FixedSupportBarycenter { Epsilon = 1e-3, Threshold = 0, MaxIterations = 120, Debiased = true }
            : new FixedSupportBarycenter { Epsilon = 1e-3, Threshold = 0, MaxIterations = 120, Relaxation = Relaxation.FromRho(1, 1) };
        var kernel = solver.Solve(geometry, inputs, [0.8, 0.2]);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(geometry, inputs, [0.8, 0.2]);
        Assert.True(kernel.UsedKernelDomain);
        Assert.True(kernel.Absorptions > 0);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(log.Costs, kernel.Costs, rtol: 1e-8);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void Solve_UnbalancedPotExample_NoAbsorptionAndTheLogDomainIterates(double scale)
    {
        // POT's plot_UOT_barycenter_1D set-up (n = 100, reg 1e-2, reg_m 1): the far tails (a ≈ e^{−128} at n = 1000, e^{−13}
        // here) give small input scalings that need no absorption (stop 22: the low limit is e^{−400}), so both inputs keep
        // the shared kernel. The cost is also given with a scale factor (read in place, scaled on the fly; ε scaled with it,
        // so the same problem): same iterates and plan costs as the log path.
        var (geometry, inputs) = PotExample(100);
        var scaled = new DenseGeometry<double>(geometry.RawCosts.ToArray(), 100, 100, scale);
        var solver = new FixedSupportBarycenter { Epsilon = 1e-2 * scale, Threshold = 0, MaxIterations = 150, Relaxation = Relaxation.FromRho(scale, scale) };
        var kernel = solver.Solve(scaled, inputs, [0.8, 0.2]);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(scaled, inputs, [0.8, 0.2]);
        Assert.True(kernel.UsedKernelDomain);
        Assert.Equal(0, kernel.Absorptions);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(log.Costs, kernel.Costs, rtol: 1e-8);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Solve_SymmetricCost_PackedKernelSameIteratesAsTheLogDomain(int variant)
    {
        // A symmetric cost keeps the upper triangle of the kernel only (half products, the plan costs over the triangle);
        // three inputs, so one pair and one single half product per pass; debiased: the plain kernel's half product too.
        var (geometry, _) = PotExample(45);
        var inputs = Inputs(geometry.Rows, 3, variant, seed: 31 + variant);
        var solver = Variant(variant) with { Epsilon = 0.02, Threshold = 0, MaxIterations = 80 };
        var kernel = solver.Solve(geometry, inputs, [0.5, 0.3, 0.2]);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(geometry, inputs, [0.5, 0.3, 0.2]);
        Assert.True(kernel.UsedKernelDomain);
        Assert.Equal(0, kernel.Absorptions);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(log.Costs, kernel.Costs, rtol: 1e-8);
    }

    [Fact]
    public void Solve_Auto_UsesTheLogDomainWhenTooLarge()
    {
        // (K + 1)·N² above DenseKernelEntries: 2 inputs on 1200 points; debiased (K + 2)·N²: 2 inputs on 1100 points.
        var large = Line(1200, 1200);
        var largeInputs = Inputs(large.Rows, 2, 0, seed: 4);
        Assert.False(new FixedSupportBarycenter { MaxIterations = 2 }.Solve(large, largeInputs).UsedKernelDomain);
        Assert.True(new FixedSupportBarycenter { MaxIterations = 2, GridScaling = GridScaling.KernelDomain }.Solve(large, largeInputs).UsedKernelDomain);
        var square = Line(1100, 1100);
        var squareInputs = Inputs(square.Rows, 2, 0, seed: 5);
        Assert.True(new FixedSupportBarycenter { MaxIterations = 2 }.Solve(square, squareInputs).UsedKernelDomain);
        Assert.False(new FixedSupportBarycenter { MaxIterations = 2, Debiased = true }.Solve(square, squareInputs).UsedKernelDomain);
    }

    /// <summary>Rows and columns on [0, 1] (evenly spaced, shifted by a third of a step), squared distance.</summary>
    private static DenseGeometry<double> Line(int rows, int cols)
    {
        var cost = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                var d = (i / (rows - 1.0)) - ((j + (1.0 / 3)) / cols);
                cost[(i * cols) + j] = d * d;
            }
        }

        return new DenseGeometry<double>(cost, rows, cols);
    }

    /// <summary>
    /// POT's plot_barycenter_1D problem on n bins: Gaussians N(n/5, n/20) and N(3n/5, n/10) on arange(n), M = dist² / max.
    /// </summary>
    private static (DenseGeometry<double> Geometry, double[][] Inputs) PotExample(int n)
    {
        var x = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var cost = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                cost[(i * n) + j] = (x[i] - x[j]) * (x[i] - x[j]) / ((n - 1.0) * (n - 1.0));
            }
        }

        return (new DenseGeometry<double>(cost, n, n), [Gaussian(x, n / 5.0, n / 20.0), Gaussian(x, 3 * n / 5.0, n / 10.0)]);
    }

    private static double[] Gaussian(double[] x, double mean, double sd)
    {
        var h = x.Select(t => Math.Exp(-0.5 * ((t - mean) / sd) * ((t - mean) / sd))).ToArray();
        var total = h.Sum();
        return h.Select(v => v / total).ToArray();
    }

    private static double[][] Inputs(int n, int k, int variant, int seed)
    {
        var rng = Seeds.Create(seed);
        return Enumerable.Range(0, k).Select(s =>
        {
            var h = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3 ? 0 : rng.NextDouble()).ToArray();
            h[s] += 0.1;
            var total = h.Sum() / (variant == 2 ? 1 + s : 1);
            return h.Select(v => v / total).ToArray();
        }).ToArray();
    }

    private static FixedSupportBarycenter Variant(int variant) => variant switch
    {
        0 => new FixedSupportBarycenter(),
        1 => new FixedSupportBarycenter { Debiased = true },
        _ => new FixedSupportBarycenter { Relaxation = Relaxation.FromRho(0.3, 0.3) },
    };
}
