using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Testing;
using Monge.Tools.Barycenters;

namespace Monge.Tests.Tools.Barycenters;

/// <summary>
/// The kernel-domain path of <see cref="FixedSupportBarycenter"/> on a shared <see cref="GridGeometry{T}"/> against the
/// log-domain path (an independent implementation: separable log-sum-exp, no dense products) on the same iterations, on
/// 1-D, 2-D and 3-D grids (each branch of the axis-by-axis product), balanced, debiased and unbalanced; the automatic
/// choice; the switch to the log domain when a scaling underflows.
/// </summary>
public sealed class GridKernelBarycenterTests
{
    public static TheoryData<int[], int> Cases() => new()
    {
        { [23], 0 },
        { [9, 11], 0 },
        { [9, 11], 1 },
        { [9, 11], 2 },
        { [4, 5, 6], 0 },
        { [4, 5, 6], 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Solve_KernelDomain_SameIteratesAsTheLogDomain(int[] shape, int variant)
    {
        var grid = Grid(shape);
        var inputs = Inputs(grid.Rows, 3, variant, seed: shape.Length + variant);
        var solver = Variant(variant) with { Epsilon = 0.03, Threshold = 0, MaxIterations = 120 };
        var kernel = solver.Solve(grid, inputs, [0.5, 0.3, 0.2]);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(grid, inputs, [0.5, 0.3, 0.2]);
        Assert.True(kernel.UsedKernelDomain);
        Assert.False(log.UsedKernelDomain);
        Assert.Equal(log.Convergence.Iterations, kernel.Convergence.Iterations);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(log.Costs, kernel.Costs, rtol: 1e-8);
        NumericAssert.Close(log.Convergence.ErrorTrace.Skip(1).ToArray(), kernel.Convergence.ErrorTrace.Skip(1).ToArray(), rtol: 1e-6, atol: 1e-15);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(4, 0)]
    [InlineData(4, 2)]
    public void Solve_ParallelHalfSteps_SameIteratesAsTheLogDomain(int inputs, int variant)
    {
        // 40 × 37 with 3 or 4 inputs is above the half step's parallel threshold: on two or more cores 4 inputs run one input
        // per work item, 3 inputs (not a multiple of two cores) as batched row blocks; one core runs them serially.
        var grid = Grid([40, 37]);
        var histograms = Inputs(grid.Rows, inputs, variant, seed: 31 + inputs + variant);
        var weights = Enumerable.Range(1, inputs).Select(x => (double)x).ToArray();
        var solver = Variant(variant) with { Epsilon = 0.01, Threshold = 0, MaxIterations = 40 };
        var kernel = solver.Solve(grid, histograms, weights);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(grid, histograms, weights);
        Assert.True(kernel.UsedKernelDomain);
        Assert.Equal(log.Convergence.Iterations, kernel.Convergence.Iterations);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-8, atol: 1e-14 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(log.Costs, kernel.Costs, rtol: 1e-8);
        var again = solver.Solve(grid, histograms, weights);
        Assert.Equal(kernel.Barycenter.ToArray(), again.Barycenter.ToArray());
    }

    [Fact]
    public void Solve_Converged_SameStopAndBarycenterAsTheLogDomain()
    {
        var grid = Grid([16, 16]);
        var inputs = Inputs(grid.Rows, 4, 0, seed: 7);
        var solver = new FixedSupportBarycenter { Epsilon = 0.004, Threshold = 1e-9 };
        var kernel = solver.Solve(grid, inputs);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(grid, inputs);
        Assert.True(kernel.UsedKernelDomain);
        Assert.Equal(SolverStatus.Converged, kernel.Convergence.Status);
        Assert.Equal(log.Convergence.Iterations, kernel.Convergence.Iterations);
        NumericAssert.Close(log.Barycenter, kernel.Barycenter, rtol: 1e-7, atol: 1e-12 * log.Barycenter.ToArray().Max());
        NumericAssert.Close(1.0, kernel.Mass, rtol: 1e-8);
    }

    [Fact]
    public void Solve_Auto_PicksTheLogDomainWhenTheKernelUnderflows()
    {
        var grid = Grid([8, 8]);
        var inputs = Inputs(grid.Rows, 2, 0, seed: 3);

        // Range Σ_d extent²/ε = 2/ε: 2/0.01 = 200 is kernel; 2/0.002 = 1000 is past the limit.
        Assert.True(new FixedSupportBarycenter { Epsilon = 0.01, MaxIterations = 5 }.Solve(grid, inputs).UsedKernelDomain);
        Assert.False(new FixedSupportBarycenter { Epsilon = 0.002, MaxIterations = 5 }.Solve(grid, inputs).UsedKernelDomain);
    }

    [Fact]
    public void Solve_ForcedKernelAtTinyEpsilon_SwitchesToTheLogDomainAndAgrees()
    {
        // ε = 2e-4 on a 12 × 12 unit grid, inputs in opposite corners: the kernel between far points is e^{−10⁴} = 0, so
        // K u vanishes far from each input's support and the kernel path must hand over to the log path, whose
        // log-sum-exp stays finite; the answer is the log path's.
        var grid = Grid([12, 12]);
        double[][] inputs = [Corner(grid.Rows, [0, 1, 12]), Corner(grid.Rows, [143, 142, 131])];
        var solver = new FixedSupportBarycenter { Epsilon = 2e-4, Threshold = 0, MaxIterations = 40 };
        var forced = (solver with { GridScaling = GridScaling.KernelDomain }).Solve(grid, inputs);
        var log = (solver with { GridScaling = GridScaling.LogDomain }).Solve(grid, inputs);
        Assert.False(forced.UsedKernelDomain);
        Assert.Equal(log.Convergence.Iterations, forced.Convergence.Iterations);
        Assert.Equal(log.Convergence.ErrorTrace.Count, forced.Convergence.ErrorTrace.Count);
        NumericAssert.Close(log.Barycenter, forced.Barycenter, rtol: 1e-6, atol: 1e-12);
    }

    [Fact]
    public void Solve_ForcedKernelOnInputsWithTheirOwnSupports_Throws()
    {
        // Two geometry objects (equal costs, but not one shared support): no shared kernel applies. (A forced kernel on one
        // shared dense support is the stabilized dense path: DenseKernelBarycenterTests.)
        var grid = Grid([3, 3]);
        CostGeometry<double>[] geometries = [new DenseGeometry<double>(grid.ToDense(), grid.Rows, grid.Cols), new DenseGeometry<double>(grid.ToDense(), grid.Rows, grid.Cols)];
        var inputs = Inputs(grid.Rows, 2, 0, seed: 1);
        var ex = Assert.Throws<InputValidationException>(() => new FixedSupportBarycenter { GridScaling = GridScaling.KernelDomain }.Solve(geometries, inputs, null, null));
        Assert.Equal(InputProblem.InvalidParameter, ex.Problem);
    }

    private static GridGeometry<double> Grid(int[] shape) =>
        new(shape.Select(n => Enumerable.Range(0, n).Select(i => n == 1 ? 0.0 : i / (double)(n - 1)).ToArray()).ToArray());

    private static double[] Corner(int n, int[] support)
    {
        var h = new double[n];
        foreach (var i in support)
        {
            h[i] = 1.0 / support.Length;
        }

        return h;
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
