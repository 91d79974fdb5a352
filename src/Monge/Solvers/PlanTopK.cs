using System.Numerics;
using Monge.Geometry;

namespace Monge.Solvers;

/// <summary>
/// The k largest entries of every row of any plan: a sparse approximation of P for plans too large to store (write it as
/// rows, columns, values). Plans with the <see cref="IPlanTopK"/> capability compute it themselves (a Sinkhorn plan in one
/// online pass over its tiles); every other plan goes through the contract: P is applied to blocks of b columns of the
/// identity (P·E, <see cref="Axis.Rows"/>), so each block yields b columns of P, which update every row's sorted top-k list.
/// </summary>
/// <remarks>
/// Memory O(n·k + (n + m)·b), never n × m, with b chosen so that a block takes about <see cref="BlockBytes"/>. Time: ⌈m / b⌉
/// plan products plus O(n·m·log k) comparisons — for a sparse or permutation plan each product is O(nonzeros·b), for a
/// low-rank plan O((n + m)·r·b), so the whole pass costs about as much as evaluating the n·m entries once.
/// </remarks>
public static class PlanTopK
{
    /// <summary>The memory one block of identity columns and its product may take (bytes).</summary>
    public const long BlockBytes = 64L << 20;

    /// <summary>The k largest entries of every row of <paramref name="plan"/>.</summary>
    /// <typeparam name="T">The plan's element type.</typeparam>
    /// <param name="plan">The plan (n × m).</param>
    /// <param name="k">Entries per row, 1 ≤ k ≤ m.</param>
    /// <param name="cancellationToken">Cancels between blocks.</param>
    /// <returns>Column indices and values, n × k row-major, each row sorted by decreasing value (ties: lower column first).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="plan"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">k outside [1, m].</exception>
    public static (int[] Indices, double[] Values) Compute<T>(ITransportPlan<T> plan, int k, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(plan);
        var n = plan.SourceCount;
        var m = plan.TargetCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, m);
        if (plan is IPlanTopK fast)
        {
            return fast.TopK(k);
        }

        var indices = new int[(long)n * k];
        var values = new double[(long)n * k];
        Array.Fill(indices, -1);
        Array.Fill(values, double.NegativeInfinity);
        var width = (int)Math.Clamp(BlockBytes / (8L * (n + m)), 1, m);
        var block = new T[(long)m * width];
        for (var j0 = 0; j0 < m; j0 += width)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var b = Math.Min(width, m - j0);
            var identity = block.AsSpan(0, m * b);
            identity.Clear();
            for (var c = 0; c < b; c++)
            {
                identity[((j0 + c) * b) + c] = T.One;
            }

            // P·E: row i holds P[i, j0 .. j0 + b).
            var columns = plan.ApplyPlan(identity, b, Axis.Rows);
            for (var i = 0; i < n; i++)
            {
                var vals = values.AsSpan(i * k, k);
                var idx = indices.AsSpan(i * k, k);
                for (var c = 0; c < b; c++)
                {
                    Insert(vals, idx, columns[(i * b) + c], j0 + c);
                }
            }
        }

        return (indices, values);
    }

    /// <summary>Inserts (value, column) into a row's list sorted by decreasing value; an equal value keeps the earlier column first.</summary>
    private static void Insert(Span<double> vals, Span<int> idx, double value, int column)
    {
        var k = vals.Length;
        if (value <= vals[k - 1])
        {
            return;
        }

        var pos = k - 1;
        while (pos > 0 && vals[pos - 1] < value)
        {
            vals[pos] = vals[pos - 1];
            idx[pos] = idx[pos - 1];
            pos--;
        }

        vals[pos] = value;
        idx[pos] = column;
    }
}
