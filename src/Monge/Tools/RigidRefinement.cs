using Monge.Geometry;

namespace Monge.Tools;

/// <summary>
/// Trimmed iterative closest points (Chetverikov et al. 2002) for 2-D and 3-D point sets: from a rigid map, repeatedly
/// pair every mapped source point with its nearest target point, drop the pairs beyond the (1 − trim) quantile of the
/// distances (cells with no counterpart: a missing band, a torn edge), and refit the rigid map by weighted Procrustes
/// (reflections kept as they are: the start's orientation class is not changed by small steps). Nearest neighbours come
/// from a uniform grid over the target (about two points per cell), so one pass costs O(n + m) on average and memory is
/// O(n + m): never n × m.
/// </summary>
internal static class RigidRefinement
{
    /// <summary>Refines <paramref name="start"/>; returns the last fit and the number of passes.</summary>
    public static (ProcrustesFit Fit, int Passes) Refine(PointCloud<double> source, PointCloud<double> target, ReadOnlySpan<double> weights, ProcrustesFit start, double trim, int maxPasses, CancellationToken cancellationToken)
    {
        var d = source.Dimension;
        var grid = new Grid(target.Data.ToArray(), target.Count, d);
        var x = source.Data.ToArray();
        var y = target.Data;
        var n = source.Count;
        var w = weights.ToArray();
        var fit = start;
        var nearest = new int[n];
        var dist = new double[n];
        var passes = 0;
        var previous = fit.Apply(x);
        for (var pass = 0; pass < maxPasses; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mapped = pass == 0 ? previous : fit.Apply(x);
            if (pass > 0)
            {
                // Stop once no mapped point moved by more than a hundredth of the grid's cell.
                var moved = 0.0;
                for (var k = 0; k < mapped.Length; k++)
                {
                    moved = Math.Max(moved, Math.Abs(mapped[k] - previous[k]));
                }

                previous = mapped;
                if (moved < 1e-2 * grid.Cell)
                {
                    break;
                }
            }

            passes = pass + 1;
            Parallel.For(0, n, i => (nearest[i], dist[i]) = grid.Nearest(mapped.AsSpan(i * d, d)));
            var sorted = (double[])dist.Clone();
            Array.Sort(sorted);
            var cut = sorted[Math.Clamp((int)Math.Ceiling((1 - trim) * n) - 1, 0, n - 1)];
            var kept = Enumerable.Range(0, n).Where(i => dist[i] <= cut && w[i] > 0).ToArray();
            if (kept.Length < d + 1)
            {
                break;
            }

            var src = new double[kept.Length * d];
            var dst = new double[kept.Length * d];
            var kw = new double[kept.Length];
            for (var k = 0; k < kept.Length; k++)
            {
                var i = kept[k];
                x.AsSpan(i * d, d).CopyTo(src.AsSpan(k * d, d));
                y.Slice(nearest[i] * d, d).CopyTo(dst.AsSpan(k * d, d));
                kw[k] = w[i];
            }

            fit = Procrustes.Fit(src, dst, d, kw, ProcrustesMode.Rigid);
        }

        return (fit, passes);
    }

    /// <summary>A uniform grid over points in 2 or 3 dimensions: cells of equal side, points bucketed by cell (CSR).</summary>
    private sealed class Grid
    {
        private readonly double[] _points;
        private readonly int _d;
        private readonly double[] _low;
        private readonly double[] _high;
        private readonly int[] _size;
        private readonly int[] _start;
        private readonly int[] _members;

        public Grid(double[] points, int count, int d)
        {
            if (d is < 2 or > 3)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"The rigid refinement takes 2-D or 3-D coordinates (got {d}).", nameof(d));
            }

            _points = points;
            _d = d;
            _low = new double[d];
            _high = new double[d];
            Array.Fill(_low, double.PositiveInfinity);
            Array.Fill(_high, double.NegativeInfinity);
            for (var i = 0; i < count; i++)
            {
                for (var k = 0; k < d; k++)
                {
                    _low[k] = Math.Min(_low[k], points[(i * d) + k]);
                    _high[k] = Math.Max(_high[k], points[(i * d) + k]);
                }
            }

            var volume = 1.0;
            for (var k = 0; k < d; k++)
            {
                volume *= Math.Max(_high[k] - _low[k], 1e-12);
            }

            // About two points per cell.
            Cell = Math.Max(Math.Pow(2 * volume / Math.Max(count, 1), 1.0 / d), 1e-12);
            _size = new int[d];
            long cells = 1;
            for (var k = 0; k < d; k++)
            {
                _size[k] = Math.Max(1, (int)Math.Min(4096, Math.Floor((_high[k] - _low[k]) / Cell) + 1));
                cells *= _size[k];
            }

            _start = new int[cells + 1];
            var cellOf = new int[count];
            for (var i = 0; i < count; i++)
            {
                cellOf[i] = Index(points.AsSpan(i * d, d));
                _start[cellOf[i] + 1]++;
            }

            for (var c = 0; c < cells; c++)
            {
                _start[c + 1] += _start[c];
            }

            _members = new int[count];
            var fill = (int[])_start.Clone();
            for (var i = 0; i < count; i++)
            {
                _members[fill[cellOf[i]]++] = i;
            }
        }

        /// <summary>Side of a cell.</summary>
        public double Cell { get; }

        /// <summary>The nearest point to <paramref name="query"/> and its Euclidean distance (exact).</summary>
        public (int Index, double Distance) Nearest(ReadOnlySpan<double> query)
        {
            Span<int> home = stackalloc int[3];
            Span<double> clamped = stackalloc double[3];
            var outside = 0.0;
            for (var k = 0; k < _d; k++)
            {
                clamped[k] = Math.Clamp(query[k], _low[k], _high[k]);
                outside += (query[k] - clamped[k]) * (query[k] - clamped[k]);
                home[k] = Math.Clamp((int)((clamped[k] - _low[k]) / Cell), 0, _size[k] - 1);
            }

            var best = -1;
            var bestD2 = double.PositiveInfinity;
            var maxRing = 0;
            for (var k = 0; k < _d; k++)
            {
                maxRing = Math.Max(maxRing, _size[k]);
            }

            for (var ring = 0; ring <= maxRing; ring++)
            {
                // Points in rings beyond this one are at least ring·h from the clamped query, and the part of the query
                // outside the grid's box adds in quadrature.
                var bound = (Math.Max(ring - 1, 0) * Cell * Math.Max(ring - 1, 0) * Cell) + outside;
                if (best >= 0 && bound >= bestD2)
                {
                    break;
                }

                Visit(ring, home, query, ref best, ref bestD2);
            }

            return (best, Math.Sqrt(bestD2));
        }

        private void Visit(int ring, ReadOnlySpan<int> home, ReadOnlySpan<double> query, ref int best, ref double bestD2)
        {
            var z0 = _d == 3 ? -ring : 0;
            var z1 = _d == 3 ? ring : 0;
            for (var dx = -ring; dx <= ring; dx++)
            {
                for (var dy = -ring; dy <= ring; dy++)
                {
                    for (var dz = z0; dz <= z1; dz++)
                    {
                        if (Math.Max(Math.Abs(dx), Math.Max(Math.Abs(dy), Math.Abs(dz))) != ring)
                        {
                            continue;
                        }

                        var cx = home[0] + dx;
                        var cy = home[1] + dy;
                        var cz = _d == 3 ? home[2] + dz : 0;
                        if (cx < 0 || cy < 0 || cz < 0 || cx >= _size[0] || cy >= _size[1] || (_d == 3 && cz >= _size[2]))
                        {
                            continue;
                        }

                        var cell = (((_d == 3 ? cz * _size[1] : 0) + cy) * _size[0]) + cx;
                        for (var p = _start[cell]; p < _start[cell + 1]; p++)
                        {
                            var j = _members[p];
                            var d2 = 0.0;
                            for (var k = 0; k < _d; k++)
                            {
                                var diff = query[k] - _points[(j * _d) + k];
                                d2 += diff * diff;
                            }

                            if (d2 < bestD2 || (d2 == bestD2 && j < best))
                            {
                                bestD2 = d2;
                                best = j;
                            }
                        }
                    }
                }
            }
        }

        private int Index(ReadOnlySpan<double> point)
        {
            var cell = 0;
            for (var k = _d - 1; k >= 0; k--)
            {
                var c = Math.Clamp((int)((point[k] - _low[k]) / Cell), 0, _size[k] - 1);
                cell = (cell * _size[k]) + c;
            }

            return cell;
        }
    }
}
