using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monge.Numerics;

namespace Monge.Tools;

/// <summary>
/// The per-query screen of the float32 tile path (squared Euclidean cost): a bound for each query and each ball of
/// points from the transform's value at the query ball's centre, so that in high dimension (where ball bounds for a whole
/// block of queries separate nothing) a query still evaluates only the balls that can hold its minimum.
/// </summary>
/// <remarks>
/// <para>
/// <b>The bound.</b> All quantities are on the shifted float32 points x̃, ỹ of <see cref="PrepareSingle"/>; write
/// T(x, y) = ‖x̃ − ỹ‖² − h_x in exact arithmetic. For a query ball Q take any reference point c (the float32 mean of its
/// queries) and for a ball B of points any centre p (the float32 mean of its points) and a radius r ≥ max_{x∈B} ‖x̃ − p‖.
/// With δ = ỹ − c, ‖x̃ − ỹ‖² = ‖x̃ − c‖² + ‖δ‖² + 2⟨δ, c − p⟩ + 2⟨δ, p − x̃⟩ and ⟨δ, p − x̃⟩ ≥ −‖δ‖·r, so for every x ∈ B
/// T(x, y) ≥ m_QB + ‖ỹ‖² − ‖c‖² + 2⟨c, p⟩ − 2⟨ỹ, p⟩ − 2‖δ‖·r, where m_QB = min_{x∈B} T(x, c) is the transform at c
/// restricted to B. m_QB is the tile kernel's value at c less the allowance A_c of <see cref="SingleAllowance"/> (which
/// bounds the kernel's error twice over). The slack is 2‖δ‖·r + 2⟨δ, x* − p⟩ plus the difference between the minimizers
/// at c and at y, a few units on the 16-D mixture, against ≈ 2·D·(r_Q + r_B) ≈ 90 for the block bound of
/// <see cref="TransformTiles"/>, which is why that one skips nothing there.
/// </para>
/// <para>
/// <b>Rigour.</b> The bound is evaluated in float32 (a dot product ⟨ỹ, p⟩ per query and ball, four queries per register
/// tile, then K_B − 2⟨ỹ, p⟩ − 2‖δ‖·r with K_B = m̃_QB − A_c + 2⟨c, p⟩ − ‖c‖² in float64 rounded once); its error is at
/// most 3u·|K_B| + (2γ_d + 4u)·‖ỹ‖·‖p‖ + 12u·‖δ‖·r (u = 2⁻²⁴, γ_d = du/(1 − du)), and a ball is skipped for a query only
/// when the computed bound exceeds the query's computed minimum so far by twice that (over the block's largest |K|, ‖p‖
/// and r). Every skipped point then has T(x, y) above the computed minimum, so the returned value, the computed minimum
/// less the allowance A_y of <see cref="TransformTiles"/>, is a lower bound of the real c(x, y) − h for every x, as there.
/// The minimum itself is the same float32 minimum over the points that can hold it; the result does not depend on the
/// order in which balls are evaluated (a minimum of the same values) nor on the thread count.
/// </para>
/// <para>
/// <b>Cost.</b> Per group of four query balls the kernel values of their four centres against every point (n·d per
/// four balls), per query a dot product with every ball centre (balls·d), so the screen is about 2/64 of the pairs of
/// a full pass with 64-point balls; then the surviving (query, ball) pairs in tiles, queries gathered per ball. Scratch
/// per worker: O(balls·(queries per ball + 4)) floats.
/// </para>
/// </remarks>
internal sealed partial class DualBoundClusters
{
    private float[]? _pointCentres;  // per ball its float32 centre, transposed: d rows of BallsPadded
    private float[]? _pointRadius;   // r_B (rounded up to float32), +0 for the padding
    private double[]? _pointCentreRows; // the same centres, row-major, float64 (exact copies of the float32 values)
    private double _maxCentreNorm;
    private double _maxPointRadius;

    /// <summary>Pairs whose bound the per-query screen computed since the counter was cleared (diagnostic).</summary>
    internal static long Screened;

    private int BallsPadded => (_start.Length + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;

    // The float32 ball centres and radii of the screen (after PrepareSingle).
    private void PrepareCentres()
    {
        if (_pointCentres is not null)
        {
            return;
        }

        var d = _d;
        var balls = _start.Length;
        var padded = BallsPadded;
        var centres = new float[d * padded];
        var radius = new float[padded];
        var rows = new double[balls * d];
        var maxNorm = 0.0;
        var maxRadius = 0.0;
        var sum = new double[d];
        for (var b = 0; b < balls; b++)
        {
            Array.Clear(sum);
            var s = _start[b];
            var c = _count[b];
            for (var p = s; p < s + c; p++)
            {
                for (var k = 0; k < d; k++)
                {
                    sum[k] += _singleRows![(p * d) + k];
                }
            }

            var norm = 0.0;
            for (var k = 0; k < d; k++)
            {
                var value = (float)(sum[k] / c);
                centres[(k * padded) + b] = value;
                rows[(b * d) + k] = value;
                norm += (double)value * value;
            }

            var r2 = 0.0;
            for (var p = s; p < s + c; p++)
            {
                var t2 = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var t = (double)_singleRows![(p * d) + k] - rows[(b * d) + k];
                    t2 += t * t;
                }

                r2 = Math.Max(r2, t2);
            }

            // The float64 sums of float32 differences are within (d + 2)·2⁻⁵³ of the exact ones: 1e-9 covers it.
            var r = (Math.Sqrt(r2) * (1 + 1e-9)) + 1e-30;
            var rf = (float)r;
            radius[b] = rf < r ? MathF.BitIncrement(rf) : rf;
            maxNorm = Math.Max(maxNorm, Math.Sqrt(norm) * (1 + 1e-12));
            maxRadius = Math.Max(maxRadius, radius[b]);
        }

        _pointRadius = radius;
        _pointCentreRows = rows;
        _maxCentreNorm = maxNorm;
        _maxPointRadius = maxRadius;
        _pointCentres = centres;
    }

    /// <summary>
    /// The squared Euclidean c-transform of <see cref="TransformTiles"/> (same values: the float32 minimum less the same
    /// allowance) with the per-query screen of the remarks instead of the block screen. False (nothing written) where
    /// <see cref="TransformTiles"/> would decline, and for the Euclidean cost (not covered by this bound).
    /// </summary>
    public bool TransformScreened(ReadOnlySpan<double> h, DualBoundClusters queries, Span<double> dst, ParallelOptions parallel)
    {
        if (!ScreenPrologue(h, queries, euclidean: false, parallel, out var maxAbs, out var w, out var hf))
        {
            return false;
        }

        var d = _d;
        var m = queries._n;
        var ny = new float[m];
        var inner = new float[m];
        for (var q = 0; q < m; q++)
        {
            ny[q] = (float)queries._norm2![q];
        }

        var result = new double[m];
        var qBalls = queries._start.Length;
        var groups = (qBalls + 3) / 4;
        var maxCount = queries._count.Length == 0 ? 0 : queries._count.Max();
        WorkerScratch.For(0, groups, parallel, () => new ScreenScratch(d, BallsPadded, maxCount), (grp, s) => ScreenGroup(grp, queries, maxAbs, ny, inner, w, hf, result, s), s =>
        {
            Interlocked.Add(ref Evaluated, s.Evaluated);
            Interlocked.Add(ref Screened, s.Screened);
        });
        result.CopyTo(dst);
        return true;
    }

    /// <summary>
    /// The two per-query screens' common start: both clouds prepared (else <see cref="InvalidOperationException"/>), the
    /// screen's cost (<paramref name="euclidean"/>) the clouds' cost, the potential's majorants and the norms within the
    /// float32 range; then the ball centres and the float32 weights. False (nothing to do) where the screen declines.
    /// </summary>
    private bool ScreenPrologue(ReadOnlySpan<double> h, DualBoundClusters queries, bool euclidean, ParallelOptions parallel, out double maxAbs, out float[] w, out float[] hf)
    {
        if (_tiles is null || queries._singleRows is null || queries._d != _d)
        {
            throw new InvalidOperationException("PrepareSingle was not called on both clouds.");
        }

        (w, hf, maxAbs) = ([], [], 0);
        if (_euclidean != euclidean)
        {
            return false;
        }

        (var hs, maxAbs, _) = Majorants(h, parallel);
        if (!(maxAbs <= SingleLimit && _maxNorm2 <= SingleLimit && queries._maxNorm2 <= SingleLimit))
        {
            return false;
        }

        PrepareCentres();
        w = new float[SinglePositions];
        hf = new float[SinglePositions];
        SingleWeights(hs, w, hf);
        return true;
    }

    /// <summary>
    /// Writes the float32 mean of query ball <paramref name="ball"/>'s rows into <paramref name="dst"/> at
    /// <paramref name="offset"/> (the screens' reference point) and returns its squared norm in double.
    /// </summary>
    private double BallMean(int ball, float[] dst, int offset)
    {
        var d = _d;
        var qs = _start[ball];
        var qc = _count[ball];
        var norm = 0.0;
        for (var k = 0; k < d; k++)
        {
            var sum = 0.0;
            for (var p = qs; p < qs + qc; p++)
            {
                sum += _singleRows![(p * d) + k];
            }

            var value = (float)(sum / qc);
            dst[offset + k] = value;
            norm += (double)value * value;
        }

        return norm;
    }

    private void ScreenGroup(int grp, DualBoundClusters queries, double maxAbs, float[] ny, float[] inner, float[] w, float[] hf, double[] result, ScreenScratch s)
    {
        var d = _d;
        var balls = _start.Length;
        var q0 = grp * 4;
        var qn = Math.Min(4, queries._start.Length - q0);

        // The reference points: the float32 means of the query balls, and the kernel at them against every ball.
        var cen = s.CentreRows;
        var cenNy = s.CentreNy;
        for (var g = 0; g < qn; g++)
        {
            var norm = queries.BallMean(q0 + g, cen, g * d);
            s.CentreNorm2[g] = norm;
            cenNy[g] = (float)norm;
        }

        var mins = s.CentreMin;
        for (var b = 0; b < balls; b++)
        {
            var best4 = s.Best4;
            best4.AsSpan().Fill(float.PositiveInfinity);
            Tile(b, cen, 0, qn, cenNy, s.ZeroInner, w, hf, best4.AsSpan(0, qn), default);
            for (var g = 0; g < qn; g++)
            {
                mins[(g * balls) + b] = best4[g];
            }
        }

        s.Evaluated += (long)qn * _n;

        // ⟨c, p⟩ for the four centres at once.
        Dots(cen, 0, qn, d, s.CentreDots);
        for (var g = 0; g < qn; g++)
        {
            ScreenBall(q0 + g, g, queries, maxAbs, ny, inner, w, hf, result, s);
        }
    }

    private void ScreenBall(int qb, int g, DualBoundClusters queries, double maxAbs, float[] ny, float[] inner, float[] w, float[] hf, double[] result, ScreenScratch s)
    {
        var d = _d;
        var balls = _start.Length;
        var padded = BallsPadded;
        var u = Math.ScaleB(1.0, -24);
        var gammaD = d * u / (1 - (d * u));
        var qs = queries._start[qb];
        var qc = queries._count[qb];
        var cNorm2 = s.CentreNorm2[g];
        var ac = SingleAllowance(cNorm2, maxAbs);
        var mins = s.CentreMin.AsSpan(g * balls, balls);
        var cdots = s.CentreDots.AsSpan(g * padded, padded);

        // K_B (float64, rounded once to float32) and the two smallest centre values (the seeds).
        var keys = s.Keys;
        var maxK = 0.0;
        int seed0 = -1, seed1 = -1;
        for (var b = 0; b < balls; b++)
        {
            var mv = mins[b];
            if (float.IsPositiveInfinity(mv))
            {
                keys[b] = float.PositiveInfinity;
                continue;
            }

            var k = (double)mv - ac + (2.0 * cdots[b]) - cNorm2;
            keys[b] = (float)k;
            maxK = Math.Max(maxK, Math.Abs(k));
            if (seed0 < 0 || mv < mins[seed0])
            {
                seed1 = seed0;
                seed0 = b;
            }
            else if (seed1 < 0 || mv < mins[seed1])
            {
                seed1 = b;
            }
        }

        for (var b = balls; b < padded; b++)
        {
            keys[b] = float.PositiveInfinity;
        }

        // The error of ⟨c, p⟩ in float32 enters K_B: add it to the block's allowance.
        var cNorm = Math.Sqrt(cNorm2) * (1 + 1e-12);
        var keyError = (2 * gammaD * cNorm * _maxCentreNorm) + (2 * u * maxK);
        maxK += keyError;

        var best = s.Best.AsSpan(0, qc);
        best.Fill(float.PositiveInfinity);
        foreach (var seed in new[] { seed0, seed1 })
        {
            if (seed >= 0)
            {
                Tile(seed, queries._singleRows!, qs, qc, ny, inner, w, hf, best, default);
                s.Evaluated += (long)qc * _count[seed];
            }
        }

        // Per query: ‖ỹ‖, ‖δ‖ and the allowance of its computed bound.
        var cen = s.CentreRows.AsSpan(g * d, d);
        for (var p = 0; p < qc; p++)
        {
            var row = queries._singleRows.AsSpan((qs + p) * d, d);
            var t2 = 0.0;
            for (var k = 0; k < d; k++)
            {
                var t = (double)row[k] - cen[k];
                t2 += t * t;
            }

            var yn2 = queries._norm2![qs + p];
            var rho = (Math.Sqrt(t2) * (1 + 1e-9)) + 1e-30;
            var yNorm = Math.Sqrt(yn2) * (1 + 1e-12);
            s.Rho[p] = rho;
            s.QueryNorm2[p] = yn2;
            s.Error[p] = (2 * ((3 * u * maxK) + (((2 * gammaD) + (4 * u)) * yNorm * _maxCentreNorm) + (12 * u * rho * _maxPointRadius))) + keyError + Math.ScaleB(1.0, -100);
        }

        // The bounds of every (query, ball) pair, four queries at a time; the survivors per ball.
        var survivors = 0;
        var width = Vector<float>.Count;
        var radius = _pointRadius!;
        var counts = s.Counts;
        for (var p = 0; p < qc; p += 4)
        {
            var pn = Math.Min(4, qc - p);
            Dots(queries._singleRows!, qs + p, pn, d, s.QueryDots);
            for (var t = 0; t < pn; t++)
            {
                var thr = best[p + t] - s.QueryNorm2[p + t] + s.Error[p + t];
                thr += 1e-12 * (Math.Abs(best[p + t]) + s.QueryNorm2[p + t]);
                var thrF = (float)thr;
                if (thrF < thr)
                {
                    thrF = MathF.BitIncrement(thrF);
                }

                if (double.IsNaN(thr))
                {
                    thrF = float.PositiveInfinity;
                }

                var thrV = new Vector<float>(thrF);
                var twoRho = new Vector<float>((float)(2 * s.Rho[p + t] * (1 + (4 * u))));
                var dots = s.QueryDots.AsSpan(t * padded, padded);
                for (var b = 0; b < padded; b += width)
                {
                    var val = Vector.LoadUnsafe(ref keys[b]) - (Vector.LoadUnsafe(ref dots[b]) * 2f) - (twoRho * Vector.LoadUnsafe(ref radius[b]));
                    if (!Vector.LessThanOrEqualAny(val, thrV))
                    {
                        continue;
                    }

                    for (var l = 0; l < width; l++)
                    {
                        var ball = b + l;
                        if (val[l] <= thrF && ball != seed0 && ball != seed1)
                        {
                            s.SurvivorBall[survivors] = ball;
                            s.SurvivorQuery[survivors] = (short)(p + t);
                            s.SurvivorValue[survivors] = val[l];
                            survivors++;
                            counts[ball]++;
                        }
                    }
                }
            }
        }

        s.Screened += (long)qc * balls;

        // Bucket the survivors by ball; visit the balls in increasing order of their smallest bound, re-checking each
        // query against its minimum so far.
        var firsts = s.First;
        var distinct = 0;
        for (var k = 0; k < survivors; k++)
        {
            var b = s.SurvivorBall[k];
            if (counts[b] > 0)
            {
                s.DistinctBall[distinct] = b;
                s.DistinctKey[distinct] = float.PositiveInfinity;
                firsts[b] = distinct;
                distinct++;
                counts[b] = -counts[b];
            }
        }

        // Offsets of each distinct ball's slots.
        var offset = 0;
        for (var k = 0; k < distinct; k++)
        {
            var b = s.DistinctBall[k];
            var c = -counts[b];
            s.DistinctOffset[k] = offset;
            s.DistinctFill[k] = offset;
            offset += c;
        }

        for (var k = 0; k < survivors; k++)
        {
            var at = firsts[s.SurvivorBall[k]];
            var slot = s.DistinctFill[at]++;
            s.SlotQuery[slot] = s.SurvivorQuery[k];
            s.SlotValue[slot] = s.SurvivorValue[k];
            s.DistinctKey[at] = Math.Min(s.DistinctKey[at], s.SurvivorValue[k] + (float)s.QueryNorm2[s.SurvivorQuery[k]]);
        }

        for (var k = 0; k < distinct; k++)
        {
            counts[s.DistinctBall[k]] = 0;
            s.DistinctIndex[k] = k;
        }

        Array.Sort(s.DistinctKey, s.DistinctIndex, 0, distinct);
        var gathered = s.GatherRows;
        for (var t = 0; t < distinct; t++)
        {
            var k = s.DistinctIndex[t];
            var b = s.DistinctBall[k];
            var count = 0;
            for (var slot = s.DistinctOffset[k]; slot < s.DistinctFill[k]; slot++)
            {
                var p = s.SlotQuery[slot];
                var thr = best[p] - s.QueryNorm2[p] + s.Error[p] + (1e-12 * (Math.Abs(best[p]) + s.QueryNorm2[p]));
                if (!(s.SlotValue[slot] <= thr) && !double.IsNaN(thr))
                {
                    continue;
                }

                queries._singleRows.AsSpan((qs + p) * d, d).CopyTo(gathered.AsSpan(count * d, d));
                s.GatherNy[count] = ny[qs + p];
                s.GatherQuery[count] = p;
                s.GatherBest[count] = best[p];
                count++;
            }

            if (count == 0)
            {
                continue;
            }

            Tile(b, gathered, 0, count, s.GatherNy, s.ZeroGather, w, hf, s.GatherBest.AsSpan(0, count), default);
            s.Evaluated += (long)count * _count[b];
            for (var k2 = 0; k2 < count; k2++)
            {
                var p = s.GatherQuery[k2];
                best[p] = Math.Min(best[p], s.GatherBest[k2]);
            }
        }

        for (var p = 0; p < qc; p++)
        {
            var v = (double)best[p];
            result[queries._order[qs + p]] = v - SingleAllowance(queries._norm2![qs + p], maxAbs);
        }
    }

    // dst[t · BallsPadded + b] = ⟨rows[first + t], p_b⟩ in float32 for t < count (count ≤ 4), every ball b.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Dots(float[] rows, int first, int count, int d, float[] dst)
    {
        var padded = BallsPadded;
        var width = Vector<float>.Count;
        var centres = _pointCentres!;
        ref var c = ref MemoryMarshal.GetArrayDataReference(centres);
        var r0 = first * d;
        var r1 = (first + Math.Min(1, count - 1)) * d;
        var r2 = (first + Math.Min(2, count - 1)) * d;
        var r3 = (first + Math.Min(3, count - 1)) * d;
        for (var b = 0; b < padded; b += width)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var k = 0; k < d; k++)
            {
                var pv = Vector.LoadUnsafe(ref c, (nuint)((k * padded) + b));
                a0 = Vector.FusedMultiplyAdd(pv, new Vector<float>(rows[r0 + k]), a0);
                a1 = Vector.FusedMultiplyAdd(pv, new Vector<float>(rows[r1 + k]), a1);
                a2 = Vector.FusedMultiplyAdd(pv, new Vector<float>(rows[r2 + k]), a2);
                a3 = Vector.FusedMultiplyAdd(pv, new Vector<float>(rows[r3 + k]), a3);
            }

            a0.StoreUnsafe(ref dst[b]);
            if (count > 1)
            {
                a1.StoreUnsafe(ref dst[padded + b]);
            }

            if (count > 2)
            {
                a2.StoreUnsafe(ref dst[(2 * padded) + b]);
            }

            if (count > 3)
            {
                a3.StoreUnsafe(ref dst[(3 * padded) + b]);
            }
        }
    }

    private sealed class ScreenScratch(int d, int padded, int maxCount)
    {
        public float[] CentreRows { get; } = new float[4 * d];

        public float[] CentreNy { get; } = new float[4];

        public double[] CentreNorm2 { get; } = new double[4];

        public float[] ZeroInner { get; } = new float[4];

        public float[] Best4 { get; } = new float[4];

        public float[] CentreMin { get; } = new float[4 * padded];

        public float[] CentreDots { get; } = new float[4 * padded];

        public float[] QueryDots { get; } = new float[4 * padded];

        public float[] Keys { get; } = new float[padded];

        public float[] Best { get; } = new float[maxCount];

        public double[] Rho { get; } = new double[maxCount];

        public double[] QueryNorm2 { get; } = new double[maxCount];

        public double[] Error { get; } = new double[maxCount];

        public int[] Counts { get; } = new int[padded];

        public int[] First { get; } = new int[padded];

        public int[] SurvivorBall { get; } = new int[maxCount * padded];

        public short[] SurvivorQuery { get; } = new short[maxCount * padded];

        public float[] SurvivorValue { get; } = new float[maxCount * padded];

        public int[] DistinctBall { get; } = new int[padded];

        public float[] DistinctKey { get; } = new float[padded];

        public int[] DistinctIndex { get; } = new int[padded];

        public int[] DistinctOffset { get; } = new int[padded];

        public int[] DistinctFill { get; } = new int[padded];

        public short[] SlotQuery { get; } = new short[maxCount * padded];

        public float[] SlotValue { get; } = new float[maxCount * padded];

        public float[] GatherRows { get; } = new float[maxCount * d];

        public float[] GatherNy { get; } = new float[maxCount];

        public float[] ZeroGather { get; } = new float[maxCount];

        public int[] GatherQuery { get; } = new int[maxCount];

        public float[] GatherBest { get; } = new float[maxCount];

        public long Evaluated;

        public long Screened;
    }
}
