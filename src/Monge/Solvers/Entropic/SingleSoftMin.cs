using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.Entropic;

/// <summary>
/// A float32 copy of an online squared Euclidean point-cloud geometry, for the early iterations of a double-precision
/// Sinkhorn run (docs/sinkhorn.md, "Single-precision early iterations"): the fused online soft-min
/// (<see cref="SquaredEuclideanSoftMin"/>) in float32 evaluates twice the lanes per vector and a degree-5 instead of a
/// degree-11 polynomial per exponential. The potentials are narrowed on the way in and the soft-mins widened on the way
/// out; the result agrees with the double soft-min to about 2⁻²⁴ times the largest exponent (|C − h|/ε), a relative
/// marginal error of about 1e-5 per entry, far below the errors of the iterations it is used for. The run switches to
/// double once the marginal error comes within <see cref="Sinkhorn.SingleSwitchFactor"/> of the threshold, and every
/// error check is computed in double, so the stopping test and the returned potentials are those of double iterations.
/// </summary>
/// <remarks>Memory: a float copy of both clouds, O((n + m)·d), plus O(n + m) float buffers. Time per soft-min O(n·m·d).</remarks>
internal sealed class SingleSoftMin
{
    private readonly PointCloudGeometry<float> _geometry;
    private readonly float[] _logA;
    private readonly float[] _logB;
    private readonly float[] _h;
    private readonly float[] _result;

    private SingleSoftMin(PointCloudGeometry<float> geometry, double[] kernelLogA, double[] kernelLogB)
    {
        _geometry = geometry;
        _logA = Narrow(kernelLogA);
        _logB = Narrow(kernelLogB);
        _h = new float[Math.Max(geometry.Rows, geometry.Cols)];
        _result = new float[Math.Max(geometry.Rows, geometry.Cols)];
    }

    /// <summary>How many soft-mins ran in float32.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The float copy of <paramref name="geometry"/> when it is an online squared Euclidean point cloud with at least
    /// <paramref name="minEntries"/> entries, the float kernel runs in SIMD on this machine and the coordinates, scale
    /// and log-weights fit float32; otherwise null.
    /// </summary>
    public static SingleSoftMin? TryCreate(CostGeometry<double> geometry, double[] kernelLogA, double[] kernelLogB, long minEntries)
    {
        if (geometry is not PointCloudGeometry<double> { IsSquaredEuclidean: true } cloud
            || (long)geometry.Rows * geometry.Cols < minEntries
            || !SquaredEuclideanSoftMin.IsSupported<float>()
            || !FitsSingle(cloud.Source.Data) || !FitsSingle(cloud.Target.Data) || !FitsSingle([cloud.ScaleFactor])
            || !FitsSingle(kernelLogA) || !FitsSingle(kernelLogB))
        {
            return null;
        }

        var source = new PointCloud<float>(Narrow(cloud.Source.Data), cloud.Source.Count, cloud.Source.Dimension);
        var target = ReferenceEquals(cloud.Source, cloud.Target)
            ? source
            : new PointCloud<float>(Narrow(cloud.Target.Data), cloud.Target.Count, cloud.Target.Dimension);
        var single = new PointCloudGeometry<float>(source, target, scaleFactor: (float)cloud.ScaleFactor);
        return new SingleSoftMin(single, kernelLogA, kernelLogB);
    }

    /// <summary>
    /// soft_k = softmin_ε of (C − h) along <paramref name="axis"/> in float32, widened into <paramref name="destination"/>;
    /// false (nothing written) when a narrowed value is not finite, so the caller runs the double soft-min.
    /// </summary>
    public bool TrySoftMin(ReadOnlySpan<double> h, double epsilon, Axis axis, Span<double> destination)
    {
        var length = axis == Axis.Columns ? _geometry.Cols : _geometry.Rows;
        var hs = _h.AsSpan(0, h.Length);
        for (var k = 0; k < h.Length; k++)
        {
            var v = (float)h[k];
            if (!float.IsFinite(v))
            {
                return false;
            }

            hs[k] = v;
        }

        var result = _result.AsSpan(0, length);
        _geometry.SoftMin(hs, axis == Axis.Columns ? _logA : _logB, (float)epsilon, axis, result);
        for (var k = 0; k < length; k++)
        {
            if (!float.IsFinite(result[k]))
            {
                return false;
            }

            destination[k] = result[k];
        }

        Count++;
        return true;
    }

    private static bool FitsSingle(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (!float.IsFinite((float)v))
            {
                return false;
            }
        }

        return true;
    }

    private static float[] Narrow(ReadOnlySpan<double> values)
    {
        var result = new float[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            result[k] = (float)values[k];
        }

        return result;
    }
}
