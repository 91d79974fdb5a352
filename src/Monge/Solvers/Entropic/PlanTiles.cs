using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Monge.Geometry;

namespace Monge.Solvers.Entropic;

/// <summary>
/// Online passes over the entropic plan P_ij = exp(ℓa_i + ℓb_j + (f_i + g_j − C_ij)/ε), tile by tile, in parallel over
/// row blocks: never more than one tile of P per worker in memory.
/// </summary>
internal static class PlanTiles
{
    private const int TileRows = 16;
    private const int TileCols = 1024;

    /// <summary>Row-block groups of the parallel pass (each holds one state; fixed so that sums do not depend on the thread count).</summary>
    private const int MaxGroups = 16;

    /// <summary>Visits every tile: <paramref name="visit"/>(i0, rows, j0, cols, costTile, planTile, state).</summary>
    /// <remarks>
    /// <paramref name="deterministicExp"/>: evaluate exp with <see cref="Numerics.DeterministicMath.Exp{T}"/> (same bits at
    /// every JIT tier, about 6–20× slower per exponential than <c>TensorPrimitives.Exp</c>) for plans that feed another
    /// solver's iterations (<c>ToDense</c>, used by entropic GW and barycenters); final outputs keep the vectorized exp.
    /// </remarks>
    public static void ForEachTile<T, TState>(
        CostGeometry<T> geom,
        T[] f,
        T[] g,
        T[] logA,
        T[] logB,
        T eps,
        Func<TState> init,
        TileVisitor<T, TState> visit,
        Action<TState> finish,
        bool deterministicExp = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = geom.Rows;
        var m = geom.Cols;
        var blocks = (n + TileRows - 1) / TileRows;
        var invEps = T.One / eps;
        void Body(int b, TState state)
        {
            var i0 = b * TileRows;
            var rows = Math.Min(TileRows, n - i0);
            var width = Math.Min(TileCols, m);
            var cost = ArrayPool<T>.Shared.Rent(rows * width);
            var plan = ArrayPool<T>.Shared.Rent(rows * width);
            try
            {
                for (var j0 = 0; j0 < m; j0 += width)
                {
                    var w = Math.Min(width, m - j0);
                    var c = cost.AsSpan(0, rows * w);
                    var p = plan.AsSpan(0, rows * w);
                    geom.FillCostBlock(i0, rows, j0, w, c);
                    for (var r = 0; r < rows; r++)
                    {
                        var pr = p.Slice(r * w, w);
                        var add = f[i0 + r] + (logA.Length == 0 ? T.Zero : eps * logA[i0 + r]);
                        TensorPrimitives.Subtract(g.AsSpan(j0, w), c.Slice(r * w, w), pr);
                        TensorPrimitives.Add(pr, add, pr);
                        TensorPrimitives.Multiply(pr, invEps, pr);
                        if (logB.Length != 0)
                        {
                            TensorPrimitives.Add(pr, logB.AsSpan(j0, w), pr);
                        }

                        if (deterministicExp)
                        {
                            Numerics.DeterministicMath.Exp<T>(pr, pr);
                        }
                        else
                        {
                            TensorPrimitives.Exp(pr, pr);
                        }
                    }

                    visit(i0, rows, j0, w, cost.AsSpan(0, rows * w), plan.AsSpan(0, rows * w), state);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(cost);
                ArrayPool<T>.Shared.Return(plan);
            }
        }

        if ((long)n * m < (1 << 15) || blocks == 1)
        {
            var state = init();
            for (var b = 0; b < blocks; b++)
            {
                Body(b, state);
            }

            finish(state);
            return;
        }

        // A fixed split of the row blocks into contiguous groups, each with its own state, merged in group order: the same
        // sums whatever the thread count or the scheduling (per-thread states merged as they finish were not).
        var groups = Math.Min(blocks, MaxGroups);
        var states = new TState[groups];
        Parallel.For(0, groups, gi =>
        {
            var state = init();
            var b1 = (int)((long)blocks * (gi + 1) / groups);
            for (var b = (int)((long)blocks * gi / groups); b < b1; b++)
            {
                Body(b, state);
            }

            states[gi] = state;
        });
        foreach (var state in states)
        {
            finish(state);
        }
    }

    public delegate void TileVisitor<T, in TState>(int i0, int rows, int j0, int cols, Span<T> cost, Span<T> plan, TState state);
}
