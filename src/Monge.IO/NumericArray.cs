using System.Numerics;
using Monge.Geometry;

namespace Monge.IO;

/// <summary>
/// A dense, C-ordered (row-major) numeric array read from or written to a file: the element type, the shape and a flat
/// .NET array of matching type (<see cref="float"/>[], <see cref="double"/>[], <see cref="int"/>[] or <see cref="long"/>[]).
/// </summary>
public sealed class NumericArray
{
    /// <summary>Wraps a flat array with a shape (the array is not copied).</summary>
    /// <param name="data">A <see cref="float"/>[], <see cref="double"/>[], <see cref="int"/>[] or <see cref="long"/>[].</param>
    /// <param name="shape">The shape; the product of its entries must equal the array length. An empty shape is a scalar.</param>
    /// <exception cref="ArgumentException">Unsupported element type, negative extent or a length that does not match.</exception>
    public NumericArray(Array data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        DType = data switch
        {
            float[] => NumericDType.Float32,
            double[] => NumericDType.Float64,
            int[] => NumericDType.Int32,
            long[] => NumericDType.Int64,
            _ => throw new ArgumentException($"Unsupported element type {data.GetType().GetElementType()}; use float, double, int or long.", nameof(data)),
        };

        long product = 1;
        foreach (var extent in shape)
        {
            if (extent < 0)
            {
                throw new ArgumentException($"Shape ({string.Join(", ", shape)}) has a negative extent.", nameof(shape));
            }

            product *= extent;
        }

        if (product != data.LongLength)
        {
            throw new ArgumentException($"Shape ({string.Join(", ", shape)}) holds {product} elements but the array has {data.LongLength}.", nameof(shape));
        }

        Data = data;
        Shape = (int[])shape.Clone();
    }

    /// <summary>The element type.</summary>
    public NumericDType DType { get; }

    /// <summary>The flat data, row-major.</summary>
    public Array Data { get; }

    /// <summary>The shape (a copy is kept; do not mutate the returned array).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The number of elements.</summary>
    public long Length => Data.LongLength;

    /// <summary>The number of rows: the first extent (1 for a scalar).</summary>
    public int Rows => Shape.Count == 0 ? 1 : Shape[0];

    /// <summary>The number of columns: the product of all extents after the first (1 for vectors and scalars).</summary>
    public int Columns
    {
        get
        {
            var c = 1;
            for (var k = 1; k < Shape.Count; k++)
            {
                c *= Shape[k];
            }

            return c;
        }
    }

    /// <summary>The elements as doubles (the array itself when it already holds doubles).</summary>
    public double[] ToDoubleArray() => Data as double[] ?? ConvertAll<double>();

    /// <summary>The elements as floats (the array itself when it already holds floats).</summary>
    public float[] ToSingleArray() => Data as float[] ?? ConvertAll<float>();

    /// <summary>A converted copy of the elements: each one cast to <typeparamref name="T"/> (<c>(T)x</c>, as C# casts numbers).</summary>
    private T[] ConvertAll<T>()
        where T : INumberBase<T> => Data switch
        {
            double[] d => Array.ConvertAll(d, T.CreateTruncating),
            float[] f => Array.ConvertAll(f, T.CreateTruncating),
            int[] i => Array.ConvertAll(i, T.CreateTruncating),
            long[] l => Array.ConvertAll(l, T.CreateTruncating),
            _ => throw new InvalidOperationException("Unsupported element type."),
        };

    /// <summary>Reads the array as an n × d point cloud in float64 (a vector is n × 1).</summary>
    /// <exception cref="InputValidationException">Empty array, rank above 2, or non-finite values.</exception>
    public PointCloud<double> ToPointCloud()
    {
        if (Shape.Count > 2)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Expected a 1-D or 2-D array of points, got shape ({string.Join(", ", Shape)}).", "points");
        }

        return new PointCloud<double>(ToDoubleArray(), Rows, Shape.Count == 2 ? Shape[1] : 1);
    }

    /// <summary>An n × d array of the coordinates of a point cloud.</summary>
    public static NumericArray FromPointCloud(PointCloud<double> cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        return new NumericArray(cloud.Data.ToArray(), cloud.Count, cloud.Dimension);
    }

    /// <summary>Formats the shape as NumPy does, for example <c>(3, 2)</c> or <c>(5,)</c>.</summary>
    public string ShapeString() => Shape.Count == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";
}
