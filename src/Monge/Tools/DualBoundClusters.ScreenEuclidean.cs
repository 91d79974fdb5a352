using Monge.Numerics;

namespace Monge.Tools;

/// <summary>
/// The per-query screen of the float32 tile path for the Euclidean cost: a bound for each query and each ball of points
/// from the transform's value at the query ball's centre and the triangle inequality, so that in high dimension a query
/// evaluates only the balls whose restricted transform at the centre is within ‖ỹ − c‖ of its minimum so far.
/// </summary>
/// <remarks>
/// <para>
/// <b>The bound.</b> On the shifted float32 points x̃, ỹ of <see cref="PrepareSingle"/> (real arithmetic on their values),
/// take for a query ball Q the float32 mean c of its queries, and for a ball B of points the tile kernel's minimum over B
/// at c, V_B, less its allowance a(V_B) = 2⁻²¹(|V_B| + 2 max |h|) (that of <see cref="TransformTiles"/>): the kernel takes
/// the root of a lower bound of the squared distance, so K_B = V_B − a(V_B) ≤ ‖x̃ − c‖ − h_x for every x ∈ B. For a query
/// y ∈ Q with ρ ≥ ‖ỹ − c‖ and the real inputs x, y, the coordinate rounding gives ‖x − y‖ ≥ ‖x̃ − ỹ‖ − 2u(‖x̃‖ + ‖ỹ‖)
/// (u = 2⁻²⁴) and the triangle inequality ‖x̃ − ỹ‖ ≥ ‖x̃ − c‖ − ρ, so for every x ∈ B
/// c(x, y) − h_x ≥ K_B − ρ − e_y, e_y = 2.01u(max ‖x̃‖ + ‖ỹ‖). The slack is ρ (at most the query ball's radius) plus the
/// difference of the restricted transform between c and y, with no term in the radius of B: in high dimension, where the
/// ball bounds of <see cref="TransformTiles"/> (slack ≈ r_Q + r_B on top of the distance) skip nothing, this one still
/// separates the balls whose values differ by more than the query ball's radius.
/// </para>
/// <para>
/// <b>A tighter slack per ball.</b> With p, r_B the ball's float32 centre and radius (those of the squared screen),
/// ‖x̃ − ỹ‖² = ‖x̃ − c‖² − 2⟨x̃ − c, δ⟩ + ‖δ‖² ≥ ‖x̃ − c‖² − t with δ = ỹ − c and t = 2⟨p − c, δ⟩ + 2r_B‖δ‖ − ‖δ‖²; with
/// D = ‖x̃ − c‖ ≥ D₀ = max(0, ‖p − c‖ − r_B) and D ↦ √(D² − t) − D increasing, ‖x̃ − ỹ‖ ≥ D − φ with φ = 0 (t ≤ 0),
/// D₀ − √(D₀² − t) (D₀² ≥ t) or √t. So a ball is also skipped when K_B − φ − e_y exceeds the threshold (φ computed in
/// float64 from outward-rounded terms, only for pairs the first test keeps: d operations per such pair). In high
/// dimension ⟨p − c, δ⟩ is small and for balls far from c (D₀ large) φ ≈ t / (2D₀) is far below ρ.
/// </para>
/// <para>
/// <b>Rigour.</b> The returned value of a query is its computed minimum m over the evaluated balls less a(m), as in
/// <see cref="TransformTiles"/>, so it is below c(x, y) − h_x for every evaluated x (t ↦ t − 2⁻²¹|t| is increasing). A
/// ball is skipped only when K_B − ρ − e_y exceeds m − a(m) by more than 10⁻¹² of the magnitudes (far above the float64
/// rounding of these few operations), so every skipped x has c(x, y) − h_x above the returned value too. Unlike the
/// squared screen the values may differ from the unscreened tiles' (a skipped ball may hold a smaller float32 value that
/// is still above the returned one, within the allowance); both are valid. The balls are visited in increasing K_B, a
/// fixed order, so the result does not depend on the thread count.
/// </para>
/// <para>
/// <b>Cost.</b> Per query ball the kernel at its centre against every point (n·d, so 1/64 of a full pass with 64-point
/// query balls; four centres per register tile) and a sort of the balls by K_B; then, ball by ball in that order, the queries whose threshold
/// m − a(m) + ρ + e_y still reaches K_B, gathered and evaluated with the tile kernel, until none does (K_B only grows,
/// thresholds only fall). No per-pair bound is computed. Scratch per worker: O(balls + queries per ball·d).
/// </para>
/// </remarks>
internal sealed partial class DualBoundClusters
{
    /// <summary>
    /// The Euclidean c-transform of <see cref="TransformTiles"/> with the per-query screen of the remarks (each value at
    /// most the float64 minimum of c − h, and at least the tiles' value less nothing: the same allowance of a possibly
    /// larger minimum). False (nothing written) for the squared cost or beyond the float32 range.
    /// </summary>
    public bool TransformScreenedEuclidean(ReadOnlySpan<double> h, DualBoundClusters queries, Span<double> dst, ParallelOptions parallel)
    {
        if (!ScreenPrologue(h, queries, euclidean: true, parallel, out var maxAbs, out var w, out var hf))
        {
            return false;
        }

        var m = queries._n;
        var ny = new float[m];
        var inner = new float[m];
        for (var q = 0; q < m; q++)
        {
            var n2 = queries._norm2![q];
            ny[q] = (float)n2;
            inner[q] = (float)(SingleAllowance(n2, maxAbs) * (1 + 1e-6));
        }

        var result = new double[m];
        var groups = (queries._start.Length + 3) / 4;
        var maxCount = queries._count.Length == 0 ? 0 : queries._count.Max();
        var balls = _start.Length;
        WorkerScratch.For(0, groups, parallel, () => new EuclideanScratch(_d, balls, maxCount), (grp, s) => EuclideanGroup(grp, queries, maxAbs, ny, inner, w, hf, result, s), s =>
        {
            Interlocked.Add(ref Evaluated, s.Evaluated);
            Interlocked.Add(ref Screened, s.Screened);
        });
        result.CopyTo(dst);
        return true;
    }

    private void EuclideanGroup(int grp, DualBoundClusters queries, double maxAbs, float[] ny, float[] inner, float[] w, float[] hf, double[] result, EuclideanScratch s)
    {
        var d = _d;
        var balls = _start.Length;
        var q0 = grp * 4;
        var qn = Math.Min(4, queries._start.Length - q0);
        var u = Math.ScaleB(1.0, -24);
        var rootAllowance = Math.ScaleB(1.0, -21);

        // The reference points (float32 means of the query balls) and the kernel at them against every ball.
        for (var g = 0; g < qn; g++)
        {
            var norm = queries.BallMean(q0 + g, s.CentreRows, g * d);
            s.CentreNy[g] = (float)norm;
            s.CentreInner[g] = (float)(SingleAllowance(norm, maxAbs) * (1 + 1e-6));
        }

        for (var b = 0; b < balls; b++)
        {
            s.Best4.AsSpan().Fill(float.PositiveInfinity);
            Tile(b, s.CentreRows, 0, qn, s.CentreNy, s.CentreInner, w, hf, s.Best4.AsSpan(0, qn), default);
            for (var g = 0; g < qn; g++)
            {
                s.CentreMin[(g * balls) + b] = s.Best4[g];
            }
        }

        s.Evaluated += (long)qn * _n;
        var maxX = Math.Sqrt(_maxNorm2) * (1 + 1e-12);
        for (var g = 0; g < qn; g++)
        {
            var qb = q0 + g;
            var qs = queries._start[qb];
            var qc = queries._count[qb];

            // K_B and the visiting order.
            var keys = s.Keys;
            var order = s.Order;
            var live = 0;
            for (var b = 0; b < balls; b++)
            {
                var v = (double)s.CentreMin[(g * balls) + b];
                if (float.IsPositiveInfinity((float)v))
                {
                    continue;
                }

                keys[live] = v - (rootAllowance * (Math.Abs(v) + (2 * maxAbs)));
                order[live] = b;
                live++;
            }

            Array.Sort(keys, order, 0, live);

            // Per query: ρ ≥ ‖ỹ − c‖ and e_y.
            var cen = s.CentreRows.AsSpan(g * d, d);
            for (var p = 0; p < qc; p++)
            {
                var row = queries._singleRows.AsSpan((qs + p) * d, d);
                var t2 = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var t = (double)row[k] - cen[k];
                    s.Delta[(p * d) + k] = t;
                    t2 += t * t;
                }

                var rho = (Math.Sqrt(t2) * (1 + 1e-9)) + 1e-30;
                s.Rho[p] = rho;
                s.Delta2[p] = t2 * (1 - 1e-9);
                var yNorm = Math.Sqrt(queries._norm2![qs + p]) * (1 + 1e-12);
                s.Reach[p] = rho + (2.01 * u * (maxX + yNorm));
                s.Best[p] = float.PositiveInfinity;
            }

            s.Screened += (long)qc * balls;
            var centres = _pointCentreRows!;
            for (var t = 0; t < live; t++)
            {
                var key = keys[t];
                var b = order[t];
                var count = 0;
                var pc = centres.AsSpan(b * d, d);
                var rb = (double)_pointRadius![b];
                var far = -1.0;  // ‖p − c‖ less r_B, a lower bound of ‖x̃ − c‖ over B (computed on first use)
                var reached = false;  // whether some query passed the first (monotone) test
                for (var p = 0; p < qc; p++)
                {
                    var best = (double)s.Best[p];
                    if (!float.IsFinite(s.Best[p]))
                    {
                        reached = true;
                    }
                    else
                    {
                        var reach = s.Reach[p];
                        var threshold = best - (rootAllowance * (Math.Abs(best) + (2 * maxAbs))) + reach;
                        var margin = 1e-12 * (Math.Abs(key) + Math.Abs(best) + reach + (2 * maxAbs));
                        if (key - margin > threshold)
                        {
                            continue;
                        }

                        // The refined slack φ ≤ ρ of the remarks, from ⟨p − c, δ⟩.
                        reached = true;
                        if (far < 0)
                        {
                            var pc2 = 0.0;
                            for (var k = 0; k < d; k++)
                            {
                                var e = pc[k] - cen[k];
                                pc2 += e * e;
                            }

                            far = Math.Max(0, (Math.Sqrt(pc2) * (1 - 1e-9)) - rb);
                        }

                        var dot = 0.0;
                        var scale = 0.0;
                        var delta = s.Delta.AsSpan(p * d, d);
                        for (var k = 0; k < d; k++)
                        {
                            var e = pc[k] - cen[k];
                            dot += e * delta[k];
                            scale += Math.Abs(e * delta[k]);
                        }

                        var rho = s.Rho[p];
                        var tSlack = (2 * dot) + (2 * rb * rho) - s.Delta2[p];
                        tSlack += 1e-9 * ((2 * scale) + (2 * rb * rho) + s.Delta2[p]);
                        // far − √(far² − t) with the root's argument lowered by its rounding (cancellation), or √t.
                        var phi = tSlack <= 0 ? 0
                            : (far * far) >= tSlack ? far - Math.Sqrt(Math.Max(0, (far * far) - tSlack - (1e-15 * ((far * far) + tSlack))))
                            : Math.Sqrt(tSlack);
                        phi = (phi * (1 + 1e-9)) + (1e-15 * far) + 1e-30;
                        if (phi < rho && key - margin > threshold - rho + phi)
                        {
                            continue;
                        }
                    }

                    queries._singleRows.AsSpan((qs + p) * d, d).CopyTo(s.GatherRows.AsSpan(count * d, d));
                    s.GatherNy[count] = ny[qs + p];
                    s.GatherInner[count] = inner[qs + p];
                    s.GatherQuery[count] = p;
                    s.GatherBest[count] = s.Best[p];
                    count++;
                }

                if (count == 0)
                {
                    // Keys only grow and thresholds only fall: when no query passes the first test, no later ball can
                    // hold a minimum (the refined test is not monotone in the key: it does not stop the loop).
                    if (!reached)
                    {
                        break;
                    }

                    continue;
                }

                Tile(b, s.GatherRows, 0, count, s.GatherNy, s.GatherInner, w, hf, s.GatherBest.AsSpan(0, count), default);
                s.Evaluated += (long)count * _count[b];
                for (var k = 0; k < count; k++)
                {
                    var p = s.GatherQuery[k];
                    s.Best[p] = Math.Min(s.Best[p], s.GatherBest[k]);
                }
            }

            for (var p = 0; p < qc; p++)
            {
                var v = (double)s.Best[p];
                result[queries._order[qs + p]] = v - (rootAllowance * (Math.Abs(v) + (2 * maxAbs)));
            }
        }
    }

    private sealed class EuclideanScratch(int d, int balls, int maxCount)
    {
        public float[] CentreRows { get; } = new float[4 * d];

        public float[] CentreNy { get; } = new float[4];

        public float[] CentreInner { get; } = new float[4];

        public float[] Best4 { get; } = new float[4];

        public float[] CentreMin { get; } = new float[4 * balls];

        public double[] Keys { get; } = new double[balls];

        public int[] Order { get; } = new int[balls];

        public double[] Reach { get; } = new double[maxCount];

        public double[] Rho { get; } = new double[maxCount];

        public double[] Delta2 { get; } = new double[maxCount];

        public double[] Delta { get; } = new double[maxCount * d];

        public float[] Best { get; } = new float[maxCount];

        public float[] GatherRows { get; } = new float[maxCount * d];

        public float[] GatherNy { get; } = new float[maxCount];

        public float[] GatherInner { get; } = new float[maxCount];

        public int[] GatherQuery { get; } = new int[maxCount];

        public float[] GatherBest { get; } = new float[maxCount];

        public long Evaluated;

        public long Screened;
    }
}
