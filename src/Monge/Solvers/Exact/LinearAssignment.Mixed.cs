using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Numerics;

namespace Monge.Solvers.Exact;

/// <summary>Mixed precision: the Jonker–Volgenant phases in float32, then an exact float64 repair.</summary>
public sealed partial record LinearAssignment
{
    /// <summary>Square double problems at least this large run the main phase in single precision by default.</summary>
    internal const int MixedPrecisionMinSize = 512;

    /// <summary>The stage name of the progress reports of the double repair (rows re-inserted out of those freed).</summary>
    internal const string RepairProgressStage = "assignment repair (float64)";

    /// <summary>Costs of larger magnitude stay in double (the float phase would lose them or overflow).</summary>
    private const double MixedPrecisionMaxMagnitude = 1e30;

    /// <summary>
    /// Solves a square n × n problem given twice: <paramref name="single"/> (the costs rounded to float) for the bulk of
    /// the work, and <paramref name="exact"/> (double) for the repair, which makes the result exact in double.
    /// </summary>
    /// <remarks>
    /// <para>The float solve leaves an assignment σ and column potentials v. In double, with v fixed, every row i
    /// whose column is not a minimizer of C[i,j] − v[j] (rounding in the float phase made a near tie go the wrong way)
    /// is freed together with its column; every other row satisfies the Jonker–Volgenant invariant exactly
    /// (u[i] = min_j C[i,j] − v[j] is attained at σ(i)). The freed rows are then re-inserted by double-precision
    /// shortest augmenting paths, which keep the invariant, so the final (σ, u, v) is optimal and certified in
    /// double exactly as for a double-only solve. Because v is nearly optimal, the repair paths are short.</para>
    /// <para>Square problems only: on rectangular problems a freed column would keep v &lt; 0 while unassigned.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SolveMixed<TSingle, TExact>(
        scoped ref TSingle single,
        scoped ref TExact exact,
        int n,
        Span<int> rowToColumn,
        LinearAssignmentWorkspace<double> ws,
        CancellationToken cancellationToken)
        where TSingle : ICostRows<float>, allows ref struct
        where TExact : ICostRows<double>, allows ref struct
    {
        var wsF = ws._single ??= new LinearAssignmentWorkspace<float>();
        wsF.MultiscaleWarmStart = ws.MultiscaleWarmStart;
        wsF.AuctionPhase = ws.AuctionPhase;
        wsF.AuctionThreshold = ws.AuctionThreshold;
        wsF.WarmStartThreshold = ws.WarmStartThreshold;
        wsF.WarmStartFirst = ws.WarmStartFirst;
        wsF.WarmStartReductionPasses = ws.WarmStartReductionPasses;
        wsF.Progress = ws.Progress;
        ws.EnsureCapacity(n, n);
        var assigned = SolveCore(ref single, n, n, rowToColumn, wsF, cancellationToken);
        ws.MixedPrecisionRan = true;
        var rowsol = rowToColumn[..n];
        var v = ws._columnPotentials.AsSpan(0, n);
        var colsol = ws._columnToRow.AsSpan(0, n);
        for (var j = 0; j < n; j++)
        {
            v[j] = wsF._columnPotentials[j];
            colsol[j] = wsF._columnToRow[j];
        }

        ws.RepairedRows = 0;
        ws.AuctionRan = wsF.AuctionRan;
        if (assigned < n)
        {
            return assigned;
        }

        return RepairInDouble(ref exact, n, rowsol, ws, cancellationToken);
    }

    /// <summary>
    /// The exact double repair of a complete assignment <paramref name="rowsol"/> with column potentials v and the
    /// column-to-row map in <paramref name="ws"/> (any v): frees every row whose column is not an exact minimizer of
    /// C[i,j] − v[j] and re-inserts it by double-precision shortest augmenting paths. Returns the rows assigned (n unless cancelled).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int RepairInDouble<TExact>(scoped ref TExact exact, int n, Span<int> rowsol, LinearAssignmentWorkspace<double> ws, CancellationToken cancellationToken)
        where TExact : ICostRows<double>, allows ref struct
    {
        var v = ws._columnPotentials.AsSpan(0, n);
        var colsol = ws._columnToRow.AsSpan(0, n);
        var free = ws._freeRows.AsSpan(0, n);
        var scratch = ws._rowScratch.AsSpan(0, n);
        var numFree = 0;
        for (var i = 0; i < n; i++)
        {
            var row = exact.Row(i, scratch);
            var j = rowsol[i];
            if (row[j] - v[j] > MinDifference(row, v))
            {
                rowsol[i] = -1;
                colsol[j] = -1;
                free[numFree++] = i;
            }
        }

        ws.RepairedRows = numFree;
        var d = ws._distances.AsSpan(0, n);
        var pred = ws._predecessors.AsSpan(0, n);
        var progress = ws.Progress;
        var every = Math.Max(1, numFree / 100);
        long scans = 0;
        for (var k = 0; k < numFree; k++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return n - numFree + k;
            }

            scans += AugmentRow(ref exact, free[k], rowsol, colsol, v, d, pred, scratch, ws);
            if (progress is not null && (k % every == 0 || k == numFree - 1))
            {
                progress.Report(new SolverProgress(RepairProgressStage, k + 1, numFree, double.NaN));
            }
        }

        LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.RepairPaths, numFree);
        LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.RepairScans, scans);
        return n;
    }

    /// <summary>
    /// Whether this processor runs the mixed-precision route at all: it pays only with 256-bit SIMD (AVX2), where a
    /// float row sweep packs eight columns per instruction against four for double.
    /// </summary>
    internal static bool MixedPrecisionSupported => Vector256.IsHardwareAccelerated;

    /// <summary>Whether an n × m double problem takes the mixed-precision route with this workspace.</summary>
    private static bool UsesMixedPrecision(int n, int m, LinearAssignmentWorkspace<double> ws) =>
        ws.MixedPrecision && n == m && n >= ws.MixedPrecisionThreshold && MixedPrecisionSupported;

    /// <summary>Rounds <paramref name="source"/> to float into <paramref name="destination"/>; false if some |value| is too large.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryNarrow(ReadOnlySpan<double> source, Span<float> destination)
    {
        var max = 0.0;
        var k = 0;
        if (Vector256.IsHardwareAccelerated && source.Length >= 8)
        {
            ref var s = ref MemoryMarshal.GetReference(source);
            ref var dst = ref MemoryMarshal.GetReference(destination);
            var vmax = Vector256<double>.Zero;
            for (; k <= source.Length - 8; k += 8)
            {
                var a = Vector256.LoadUnsafe(ref s, (nuint)k);
                var b = Vector256.LoadUnsafe(ref s, (nuint)(k + 4));
                vmax = Vector256.Max(vmax, Vector256.Max(Vector256.Abs(a), Vector256.Abs(b)));
                Vector256.Narrow(a, b).StoreUnsafe(ref dst, (nuint)k);
            }

            for (var lane = 0; lane < 4; lane++)
            {
                max = Math.Max(max, vmax[lane]);
            }
        }

        for (; k < source.Length; k++)
        {
            max = Math.Max(max, Math.Abs(source[k]));
            destination[k] = (float)source[k];
        }

        return max <= MixedPrecisionMaxMagnitude;
    }

    /// <summary>Solves a validated dense double problem into <paramref name="rowToColumn"/>, mixed precision when it applies.</summary>
    private static int SolveDenseDouble(ReadOnlySpan<double> cost, int n, int m, Span<int> rowToColumn, LinearAssignmentWorkspace<double> ws, CancellationToken cancellationToken)
    {
        var dense = new DenseCostRows<double>(cost, m);
        if (UsesMixedPrecision(n, m, ws))
        {
            var single = ws.EnsureSingleCost(n * m);
            if (TryNarrow(cost, single))
            {
                var rowsF = new DenseCostRows<float>(single, m);
                return SolveMixed(ref rowsF, ref dense, n, rowToColumn, ws, cancellationToken);
            }
        }

        ws.RepairedRows = 0;
        return SolveCore(ref dense, n, m, rowToColumn, ws, cancellationToken);
    }

    /// <summary>
    /// The mixed-precision route for double point clouds under the squared Euclidean or Euclidean cost (the transposed
    /// targets are already in <paramref name="ws"/>): float rows for the main phase — stored when
    /// <paramref name="store"/> (built with blocked matrix products, <see cref="SquaredDistanceProducts{T}"/>),
    /// otherwise computed on the fly from coordinate differences — and double rows from coordinate differences,
    /// computed on the fly, for the repair. Null when the coordinates are too large for float.
    /// </summary>
    private static int[]? SolvePointsMixed(PointCloud<double> x, ReadOnlySpan<double> y, bool euclidean, double scale, bool store, LinearAssignmentWorkspace<double> ws, CancellationToken cancellationToken) =>
        euclidean
            ? SolvePointsMixed<Euclidean<float>, Euclidean<double>>(x, y, scale, store, ws, cancellationToken)
            : SolvePointsMixed<SquaredEuclidean<float>, SquaredEuclidean<double>>(x, y, scale, store, ws, cancellationToken);

    private static int[]? SolvePointsMixed<TCostF, TCostD>(PointCloud<double> x, ReadOnlySpan<double> y, double scale, bool store, LinearAssignmentWorkspace<double> ws, CancellationToken cancellationToken)
        where TCostF : struct, ICostFunction<float>
        where TCostD : struct, ICostFunction<double>
    {
        var n = x.Count;
        var d = x.Dimension;
        var xF = new float[n * d];
        var yF = new float[n * d];
        if (!TryNarrow(x.Data, xF) || !TryNarrow(ws._transposed.AsSpan(0, n * d), yF) || MaxAbs(xF) > 1e14f || MaxAbs(yF) > 1e14f || !(Math.Abs(scale) <= MixedPrecisionMaxMagnitude))
        {
            return null;
        }

        var rowToColumn = new int[n];
        var exact = new PointCostRows<double, TCostD>(x.Data, [], ws._transposed.AsSpan(0, n * d), d, n, default, scale);
        if (store)
        {
            var products = SquaredDistanceProducts<float>.Create(x.Data, y, d);
            if (!products.IsFinite)
            {
                return null;
            }

            ws.EnsureSingleCost(n * n);
            products.FillRows(0, n, typeof(TCostF) == typeof(Euclidean<float>), (float)scale, ws._singleCost.AsMemory(0, n * n));
            var rowsF = new DenseCostRows<float>(ws._singleCost.AsSpan(0, n * n), n);
            SolveMixed(ref rowsF, ref exact, n, rowToColumn, ws, cancellationToken);
        }
        else
        {
            var pointsF = new PointCostRows<float, TCostF>(xF, [], yF, d, n, default, (float)scale);
            SolveMixed(ref pointsF, ref exact, n, rowToColumn, ws, cancellationToken);
        }

        return rowToColumn;
    }

    private static float MaxAbs(ReadOnlySpan<float> values)
    {
        var max = 0f;
        foreach (var value in values)
        {
            max = MathF.Max(max, MathF.Abs(value));
        }

        return max;
    }
}
