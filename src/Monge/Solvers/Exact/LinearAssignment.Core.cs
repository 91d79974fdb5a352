using System.Numerics;
using System.Runtime.CompilerServices;

namespace Monge.Solvers.Exact;

/// <summary>The Jonker–Volgenant solver proper, generic over the precision and the way rows of C are obtained.</summary>
public sealed partial record LinearAssignment
{
    /// <summary>
    /// Solves min Σ C[i, σ(i)] over injective σ for an n × m cost with n ≤ m.
    /// On return <paramref name="rowToColumn"/> holds σ and the workspace holds the column potentials v and the
    /// column-to-row map. Returns the number of rows assigned (n unless cancelled).
    /// </summary>
    /// <remarks>
    /// Jonker &amp; Volgenant (1987), "A shortest augmenting path algorithm for dense and sparse linear assignment
    /// problems", Computing 38: column reduction with reduction transfer (square problems only: it would make the
    /// potentials of unassigned columns positive otherwise), two passes of augmenting row reduction, then one
    /// Dijkstra-like shortest augmenting path per remaining free row, on reduced costs C[i,j] − v[j].
    /// Every row sweep is a contiguous SIMD pass over j; scanned columns are masked by v = −∞.
    /// Invariants: every assigned row i has C[i,σ(i)] − v[σ(i)] = min_j (C[i,j] − v[j]); v only decreases once the
    /// column-reduction phase is over, and unassigned columns keep v = 0 in the rectangular case.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SolveCore<T, TRows>(
        scoped ref TRows rows,
        int n,
        int m,
        Span<int> rowToColumn,
        LinearAssignmentWorkspace<T> ws,
        CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : ICostRows<T>, allows ref struct
    {
        ws.EnsureCapacity(n, m);
        ws.MixedPrecisionRan = false;
        var rowsol = rowToColumn[..n];
        var colsol = ws._columnToRow.AsSpan(0, m);
        var v = ws._columnPotentials.AsSpan(0, m);
        var d = ws._distances.AsSpan(0, m);
        var pred = ws._predecessors.AsSpan(0, m);
        var scratch = ws._rowScratch.AsSpan(0, m);
        var free = ws._freeRows.AsSpan(0, n);
        rowsol.Fill(-1);
        colsol.Fill(-1);

        if (m == 1)
        {
            // n = m = 1: the only assignment; u = C[0,0], v = 0.
            rowsol[0] = 0;
            colsol[0] = 0;
            v[0] = T.Zero;
            return 1;
        }

        int numFree;
        var firstPass = 0;
        if (n == m && ws.WarmStartFirst && UsesWarmStart(n, ws))
        {
            // Known to collide (Hierarchical Refinement's leaves: shifted clusters, where the column reduction leaves
            // ≈ 99% of the rows free and the first row reduction pass ≈ 87%, then the warm start discards both): straight
            // to the warm start, the same state as the restart below.
            LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.WarmStarts, ws.IsWarmStartChild ? 0 : 1);
            ws.AuctionRan = false;
            WarmStart(ref rows, n, v, ws);
            for (var i = 0; i < n; i++)
            {
                free[i] = i;
            }

            numFree = n;
            firstPass = 2 - Math.Clamp(ws.WarmStartReductionPasses, 0, 2);
        }
        else if (n == m)
        {
            numFree = ColumnReduction(ref rows, n, m, rowsol, colsol, v, d, free, ws._matches.AsSpan(0, n), scratch);
            if (LinearAssignmentCounters.Enabled && !ws.IsWarmStartChild)
            {
                LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.FreeAfterColumnReduction, numFree);
            }

            numFree = AugmentingRowReduction(ref rows, numFree, rowsol, colsol, v, free, scratch, cancellationToken, out var firstSteps);
            firstPass = 1;
            if (LinearAssignmentCounters.Enabled && !ws.IsWarmStartChild)
            {
                LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.FreeAfterRowReduction, numFree);
            }

            // Few rows left free (nearest-column guesses mostly distinct: uniform-like data): an ε-scaling auction
            // brings v close to optimal much more cheaply than long augmenting paths would.
            ws.AuctionRan = false;
            if (ws.AuctionPhase && n >= ws.AuctionThreshold && numFree <= n / 4 && numFree > 0)
            {
                ws.AuctionRan = true;
                LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.Auctions, ws.IsWarmStartChild ? 0 : 1);
                numFree = AuctionPhase(ref rows, n, numFree, rowsol, colsol, v, free, scratch, cancellationToken);
                firstPass = 2;
            }

            // Many rows still free after a row-reduction pass means the nearest-column guesses collide a lot (shifted
            // or clustered geometry): augmenting paths would be long, so restart from the multiscale warm start.
            if (firstPass == 1 && numFree > n / 4 && UsesWarmStart(n, ws))
            {
                rowsol.Fill(-1);
                colsol.Fill(-1);
                LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.WarmStarts, ws.IsWarmStartChild ? 0 : 1);
                LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.DiscardedSweeps, n + firstSteps);
                WarmStart(ref rows, n, v, ws);
                for (var i = 0; i < n; i++)
                {
                    free[i] = i;
                }

                numFree = n;
                firstPass = 2 - Math.Clamp(ws.WarmStartReductionPasses, 0, 2);
            }
            else
            {
                LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.ReductionSweeps, firstSteps);
            }
        }
        else
        {
            v.Clear();
            for (var i = 0; i < n; i++)
            {
                free[i] = i;
            }

            numFree = n;
        }

        // Augmenting row reduction, two passes (JV 1987, procedure AUGMENTING ROW REDUCTION).
        for (var pass = firstPass; pass < 2 && numFree > 0; pass++)
        {
            numFree = AugmentingRowReduction(ref rows, numFree, rowsol, colsol, v, free, scratch, cancellationToken, out var steps);
            LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.ReductionSweeps, steps);
        }

        // Shortest augmenting paths for the rows still free.
        var assigned = n - numFree;
        var progress = ws.Progress;
        var every = Math.Max(1, n / 1000);
        progress?.Report(new SolverProgress(ProgressStage, assigned, n, double.NaN));
        long scans = 0;
        for (var k = 0; k < numFree; k++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return assigned;
            }

            scans += AugmentRow(ref rows, free[k], rowsol, colsol, v, d, pred, scratch, ws);
            assigned++;
            if (progress is not null && (k % every == 0 || k == numFree - 1))
            {
                progress.Report(new SolverProgress(ProgressStage, assigned, n, double.NaN));
            }
        }

        if (LinearAssignmentCounters.Enabled)
        {
            var child = ws.IsWarmStartChild;
            LinearAssignmentCounters.Add(child ? LinearAssignmentCounters.Counter.ChildSolves : LinearAssignmentCounters.Counter.Solves, 1);
            LinearAssignmentCounters.Add(child ? LinearAssignmentCounters.Counter.ChildRows : LinearAssignmentCounters.Counter.Rows, n);
            LinearAssignmentCounters.Add(child ? LinearAssignmentCounters.Counter.ChildPaths : LinearAssignmentCounters.Counter.Paths, numFree);
            LinearAssignmentCounters.Add(child ? LinearAssignmentCounters.Counter.ChildScans : LinearAssignmentCounters.Counter.Scans, scans);
        }

        return assigned;
    }

    /// <summary>Whether a square n × n problem may restart from the multiscale warm start with this workspace.</summary>
    private static bool UsesWarmStart<T>(int n, LinearAssignmentWorkspace<T> ws)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        n >= ws.WarmStartThreshold && ws.MultiscaleWarmStart && (long)(n / 2) * (n / 2) <= WarmStartMaxEntries;

    /// <summary>The stage name of the progress reports (rows assigned out of n).</summary>
    internal const string ProgressStage = "assignment";

    /// <summary>Square problems at least this large get the auction phase (when few rows are left free); Hierarchical Refinement leaves (256) do not.</summary>
    internal const int AuctionMinSize = 512;

    /// <summary>Auction ε schedule, relative to the cost range: start, divide by the factor, stop at the final value.</summary>
    private const double AuctionStart = 1e-3;
    private const double AuctionFactor = 10;
    private const double AuctionFinal = 1e-4;

    /// <summary>The auction gives up (handing over to the augmenting paths, which are exact from any state) after this many bids per row.</summary>
    private const int AuctionMaxBidsPerRow = 64;

    /// <summary>
    /// ε-scaling forward auction (Bertsekas, "The auction algorithm: a distributed relaxation method for the
    /// assignment problem", Ann. Oper. Res. 14 (1988); ε-scaling: Bertsekas &amp; Eckstein 1988), started from the
    /// state left by column and row reduction, with prices −v. A free row i bids for its best column j₁ (smallest
    /// C[i,j] − v[j], second smallest w₂): v[j₁] decreases by w₂ − w₁ + ε, and j₁'s previous owner becomes free
    /// (Gauss–Seidel, last in first out). ε runs from 10⁻³ to 10⁻⁴ of the cost range; between phases only rows
    /// that are no longer ε-happy are freed. At the end every row whose column is not an exact minimizer of its
    /// reduced costs is freed (the Jonker–Volgenant invariant is exact for all others), and the shortest augmenting
    /// paths that follow restore optimality. The auction is only a fast way to near-optimal v; exactness never
    /// depends on it. Returns the number of free rows (listed in <paramref name="free"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AuctionPhase<T, TRows>(
        scoped ref TRows rows,
        int n,
        int numFree,
        Span<int> rowsol,
        Span<int> colsol,
        Span<T> v,
        Span<int> free,
        Span<T> scratch,
        CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : ICostRows<T>, allows ref struct
    {
        // The cost range, from a sample of rows (it only sets the ε scale).
        var lo = T.PositiveInfinity;
        var hi = T.NegativeInfinity;
        for (var i = 0; i < n; i += Math.Max(1, n / 64))
        {
            foreach (var c in rows.Row(i, scratch))
            {
                lo = T.Min(lo, c);
                hi = T.Max(hi, c);
            }
        }

        var range = double.CreateTruncating(hi - lo);
        var bidsLeft = (long)AuctionMaxBidsPerRow * n;
        var count = numFree;
        for (var eps = range * AuctionStart; range > 0; eps /= AuctionFactor)
        {
            var te = T.CreateTruncating(eps);
            if (eps < range * AuctionStart)
            {
                // Free the rows that are no longer ε-happy for the new ε.
                count = 0;
                for (var i = 0; i < n; i++)
                {
                    var j = rowsol[i];
                    if (j >= 0)
                    {
                        var row = rows.Row(i, scratch);
                        if (row[j] - v[j] <= MinDifference(row, v) + te)
                        {
                            continue;
                        }

                        rowsol[i] = -1;
                        colsol[j] = -1;
                    }

                    free[count++] = i;
                }
            }

            var k = 0;
            while (k < count && bidsLeft > 0)
            {
                // Cancelled: stop bidding (the pass below leaves a valid state for the caller, which then returns).
                if ((bidsLeft & 255) == 0 && cancellationToken.IsCancellationRequested)
                {
                    bidsLeft = 0;
                    break;
                }

                bidsLeft--;
                var i = free[k++];
                var (w1, j1, w2) = TwoSmallest(rows.Row(i, scratch), (ReadOnlySpan<T>)v);
                var lowered = v[j1] - (w2 - w1 + te);
                v[j1] = lowered < v[j1] ? lowered : T.BitDecrement(v[j1]);
                var i0 = colsol[j1];
                rowsol[i] = j1;
                colsol[j1] = i;
                if (i0 >= 0)
                {
                    rowsol[i0] = -1;
                    free[--k] = i0;
                }
            }

            if (bidsLeft <= 0 || eps <= range * AuctionFinal * 1.000001)
            {
                break;
            }
        }

        // Keep only the rows whose column is an exact minimizer of their reduced costs.
        numFree = 0;
        for (var i = 0; i < n; i++)
        {
            var j = rowsol[i];
            if (j >= 0)
            {
                var row = rows.Row(i, scratch);
                if (row[j] - v[j] <= MinDifference(row, v))
                {
                    continue;
                }

                rowsol[i] = -1;
                colsol[j] = -1;
            }

            free[numFree++] = i;
        }

        return numFree;
    }

    /// <summary>Square problems at least this large get a multiscale warm start (when many rows are left free after the
    /// row reduction). 128 since stop 28 (256 before): Hierarchical Refinement's leaves of 253 or 254 points (10⁷ points,
    /// any n not a power of two) missed it and cost 2–3× the leaves of 256 (docs/hiref.md "Stop 28 (leaf253)").</summary>
    internal const int WarmStartMinSize = 128;

    /// <summary>The warm start stores its sub-problem's cost (n²/4 entries); it is skipped above this many entries.</summary>
    internal const long WarmStartMaxEntries = 1L << 24;

    /// <summary>
    /// Multiscale warm start (square problems): solves the sub-problem on a seeded random half of the rows and of the
    /// columns (recursively), then sets v to the c-transform of its row potentials, v[j] = min over sampled rows s of
    /// C[s, j] − u[s]. On geometric costs the sub-problem's potentials approximate the full ones, so the augmenting
    /// paths that follow are short; on any cost the result is a valid starting point (rows all free, any v).
    /// </summary>
    private static void WarmStart<T, TRows>(scoped ref TRows rows, int n, Span<T> v, LinearAssignmentWorkspace<T> ws)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : ICostRows<T>, allows ref struct
    {
        var k = n / 2;
        var child = ws._child ??= new LinearAssignmentWorkspace<T> { MultiscaleWarmStart = true, IsWarmStartChild = true };
        child.WarmStartThreshold = ws.WarmStartThreshold;
        child.WarmStartFirst = ws.WarmStartFirst;
        child.WarmStartReductionPasses = ws.WarmStartReductionPasses;
        child.EnsureCapacity(k, k);
        if (child._subCost.Length < k * k || child._subRows.Length < n)
        {
            child._subCost = new T[k * k];
            child._subRows = new int[n];
            child._subColumns = new int[n];
            child._subSolution = new int[k];
            child._subRowPotentials = new T[k];
        }

        var sampleRows = child._subRows.AsSpan(0, n);
        var sampleCols = child._subColumns.AsSpan(0, n);
        var state = 0x9E3779B97F4A7C15UL ^ (ulong)n;
        PartialShuffle(sampleRows, k, ref state);
        PartialShuffle(sampleCols, k, ref state);
        sampleRows = sampleRows[..k];
        sampleCols = sampleCols[..k];
        sampleRows.Sort();
        sampleCols.Sort();
        var sub = child._subCost.AsSpan(0, k * k);
        var scratch = ws._rowScratch.AsSpan(0, n);
        for (var a = 0; a < k; a++)
        {
            var row = rows.Row(sampleRows[a], scratch);
            var dst = sub.Slice(a * k, k);
            for (var b = 0; b < k; b++)
            {
                dst[b] = row[sampleCols[b]];
            }
        }

        var subRows = new DenseCostRows<T>(sub, k);
        var sigma = child._subSolution.AsSpan(0, k);
        SolveCore(ref subRows, k, k, sigma, child, CancellationToken.None);
        var u = child._subRowPotentials.AsSpan(0, k);
        for (var a = 0; a < k; a++)
        {
            var j = sigma[a];
            u[a] = sub[(a * k) + j] - child._columnPotentials[j];
        }

        // v = c-transform of u over the sampled rows.
        v.Fill(T.PositiveInfinity);
        for (var a = 0; a < k; a++)
        {
            CTransformUpdate(rows.Row(sampleRows[a], scratch), u[a], v);
        }
    }

    private static void PartialShuffle(Span<int> indices, int k, ref ulong state)
    {
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }

        for (var i = 0; i < k; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            var r = i + (int)(state % (ulong)(indices.Length - i));
            (indices[i], indices[r]) = (indices[r], indices[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ColumnReduction<T, TRows>(
        scoped ref TRows rows,
        int n,
        int m,
        Span<int> rowsol,
        Span<int> colsol,
        Span<T> v,
        Span<T> colArg,
        Span<int> free,
        Span<int> matches,
        Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : ICostRows<T>, allows ref struct
    {
        v.Fill(T.PositiveInfinity);
        for (var i = 0; i < n; i++)
        {
            UpdateColumnMinima(rows.Row(i, scratch), v, colArg, i);
        }

        matches.Clear();
        for (var j = m - 1; j >= 0; j--)
        {
            var imin = int.CreateTruncating(colArg[j]);
            if (matches[imin]++ == 0)
            {
                rowsol[imin] = j;
                colsol[j] = imin;
            }
            else if (v[j] < v[rowsol[imin]])
            {
                var j1 = rowsol[imin];
                rowsol[imin] = j;
                colsol[j] = imin;
                colsol[j1] = -1;
            }
            else
            {
                colsol[j] = -1;
            }
        }

        // Reduction transfer: a row matched once moves its slack onto its column's potential.
        var numFree = 0;
        for (var i = 0; i < n; i++)
        {
            if (matches[i] == 0)
            {
                free[numFree++] = i;
            }
            else if (matches[i] == 1)
            {
                var j1 = rowsol[i];
                var saved = v[j1];
                v[j1] = T.NegativeInfinity;
                var min = MinDifference(rows.Row(i, scratch), v);
                v[j1] = saved - min;
            }
        }

        return numFree;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AugmentingRowReduction<T, TRows>(
        scoped ref TRows rows,
        int previousFree,
        Span<int> rowsol,
        Span<int> colsol,
        Span<T> v,
        Span<int> free,
        Span<T> scratch,
        CancellationToken cancellationToken,
        out long steps)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : ICostRows<T>, allows ref struct
    {
        // A cap on re-processing keeps rounding-sized decreases of v from cycling for long; rows left over simply go
        // on to the augmenting-path phase, which is exact on its own.
        var cap = (8L * previousFree) + 64;
        steps = 0;
        var k = 0;
        var numFree = 0;
        while (k < previousFree)
        {
            if ((steps & 255) == 255 && cancellationToken.IsCancellationRequested)
            {
                // Cancelled: the rows not processed yet stay free (numFree ≤ k, so they move down without overlap).
                for (; k < previousFree; k++)
                {
                    free[numFree++] = free[k];
                }

                break;
            }

            var i = free[k++];
            steps++;
            var row = rows.Row(i, scratch);
            var (umin, j1, usubmin) = TwoSmallest(row, (ReadOnlySpan<T>)v);
            var i0 = colsol[j1];
            var strict = umin < usubmin;
            if (strict)
            {
                v[j1] -= usubmin - umin;
            }
            else if (i0 >= 0)
            {
                // A tie: take another column at the same reduced cost, preferably an unassigned one.
                var j2 = -1;
                for (var j = 0; j < v.Length; j++)
                {
                    if (j != j1 && row[j] - v[j] == umin)
                    {
                        j2 = j;
                        if (colsol[j] < 0)
                        {
                            break;
                        }
                    }
                }

                if (j2 >= 0)
                {
                    j1 = j2;
                    i0 = colsol[j2];
                }
            }

            rowsol[i] = j1;
            colsol[j1] = i;
            if (i0 >= 0)
            {
                rowsol[i0] = -1;
                if (strict && steps < cap)
                {
                    free[--k] = i0;
                }
                else
                {
                    free[numFree++] = i0;
                }
            }
        }

        return numFree;
    }

    /// <summary>One shortest augmenting path from free row <paramref name="f"/>; returns the number of columns scanned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AugmentRow<T, TRows>(
        scoped ref TRows rows,
        int f,
        Span<int> rowsol,
        Span<int> colsol,
        Span<T> v,
        Span<T> d,
        Span<int> pred,
        Span<T> scratch,
        LinearAssignmentWorkspace<T> ws)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : ICostRows<T>, allows ref struct
    {
        var scannedCols = ws._scannedColumns.AsSpan();
        var scannedD = ws._scannedDistances.AsSpan();
        var scannedV = ws._scannedPotentials.AsSpan();
        var scanned = 0;
        var min = InitDistances(rows.Row(f, scratch), v, d, pred, f, out var j);
        while (colsol[j] >= 0)
        {
            // Scan column j: it joins the tree at distance min, and its row relaxes all other columns.
            var i = colsol[j];
            scannedCols[scanned] = j;
            scannedD[scanned] = min;
            scannedV[scanned] = v[j];
            scanned++;
            var row = rows.Row(i, scratch);
            var u1 = row[j] - v[j] - min;
            v[j] = T.NegativeInfinity;
            d[j] = T.PositiveInfinity;
            min = Relax(row, v, d, pred, i, u1, out j);
        }

        // Dual update (JV: v[j] += d[j] − min for scanned columns) and unmasking.
        for (var k = 0; k < scanned; k++)
        {
            v[scannedCols[k]] = scannedV[k] + (scannedD[k] - min);
        }

        // Flip the path.
        while (true)
        {
            var i = pred[j];
            colsol[j] = i;
            var next = rowsol[i];
            rowsol[i] = j;
            if (i == f)
            {
                break;
            }

            j = next;
        }

        return scanned;
    }
}
