using CsCheck;
using Monge.Testing;

namespace Monge.IO.Tests;

public sealed class CsvFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monge-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Read_WithHeader_DetectsHeaderAndValues()
    {
        var table = CsvFormat.Read(Write("a.csv", "x,y\n1,2\n3.5,-4e-3\n"));
        Assert.Equal(["x", "y"], table.Header);
        Assert.Equal([2, 2], table.Values.Shape);
        Assert.Equal([1, 2, 3.5, -4e-3], (double[])table.Values.Data);
    }

    [Fact]
    public void Read_WithoutHeader_FirstRowIsData()
    {
        var table = CsvFormat.Read(Write("b.csv", "1,2,3\n4,5,6\n"));
        Assert.Null(table.Header);
        Assert.Equal([2, 3], table.Values.Shape);
    }

    [Fact]
    public void Read_TabsAndBlankLines_AreHandled()
    {
        var table = CsvFormat.Read(Write("c.tsv", "1\t2\n\n3\t4\n\n"));
        Assert.Equal([1.0, 2, 3, 4], (double[])table.Values.Data);
    }

    [Fact]
    public void Read_NanAndInf_AreKeptForLaterValidation()
    {
        var values = (double[])CsvFormat.Read(Write("d.csv", "nan,inf\n-inf,1\n")).Values.Data;
        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(double.PositiveInfinity, values[1]);
        Assert.Equal(double.NegativeInfinity, values[2]);
    }

    [Fact]
    public void Read_RaggedRow_NamesTheLine()
    {
        var ex = Assert.Throws<DataFormatException>(() => CsvFormat.Read(Write("e.csv", "x,y\n1,2\n3\n")));
        Assert.Equal("line 3", ex.Position);
        Assert.Contains("ragged", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonNumericField_NamesLineAndColumn()
    {
        var ex = Assert.Throws<DataFormatException>(() => CsvFormat.Read(Write("f.csv", "1,2\n3,abc\n")));
        Assert.Equal("line 2, column 2", ex.Position);
        Assert.Contains("'abc' is not a number", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public void Read_EmptyFile_SaysEmpty(string text)
    {
        var ex = Assert.Throws<DataFormatException>(() => CsvFormat.Read(Write("g.csv", text)));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderOnly_SaysNoRows()
    {
        var ex = Assert.Throws<DataFormatException>(() => CsvFormat.Read(Write("h.csv", "x,y\n")));
        Assert.Contains("no data rows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteRead_RandomTables_RoundTripExactly()
    {
        var tables = from rows in Gen.Int[1, 20]
                     from cols in Gen.Int[1, 6]
                     from header in Gen.Bool
                     from values in Gen.Double.Array[rows * cols]
                     select (rows, cols, header, values);
        tables.Sample(
            t =>
            {
                var (rows, cols, header, values) = t;
                for (var k = 0; k < values.Length; k++)
                {
                    if (!double.IsFinite(values[k]))
                    {
                        values[k] = k;
                    }
                }

                var names = header ? Enumerable.Range(0, cols).Select(j => $"c{j}").ToArray() : null;
                var path = Path.Combine(_dir, $"rt-{Guid.NewGuid():N}.csv");
                CsvFormat.Write(path, new NumericArray(values, rows, cols), names);
                var back = CsvFormat.Read(path, hasHeader: header);
                Assert.Equal(names, back.Header);
                Assert.Equal(values, (double[])back.Values.Data);
            },
            iter: 100);
    }

    [Fact]
    public void Read_FuzzedText_ThrowsCleanlyOrParses()
    {
        var original = "x,y\n1,2\n3,4\n5,6\n";
        var rng = Seeds.Create(11);
        const string alphabet = "0123456789,.-e\nxa ";
        for (var trial = 0; trial < 500; trial++)
        {
            var chars = original.ToCharArray();
            chars[rng.Next(chars.Length)] = alphabet[rng.Next(alphabet.Length)];
            var path = Write("fuzz.csv", new string(chars));
            try
            {
                var table = CsvFormat.Read(path);
                Assert.Equal(table.Values.Rows * table.Values.Columns, table.Values.Length);
            }
            catch (DataFormatException ex)
            {
                Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            }
            catch (DataSelectionException ex)
            {
                // Text in a named column.
                Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Read_EmptyCell_IsNaNAsPandasWritesIt()
    {
        // pandas.DataFrame({"x": [1.0, None], "y": [None, 4.0]}).to_csv(index=False) writes "x,y\n1.0,\n,4.0\n".
        var table = CsvFormat.Read(Write("na.csv", "x,y\n1.0,\n,4.0\n"));
        var values = table.Values.ToDoubleArray();
        Assert.Equal(1.0, values[0]);
        Assert.True(double.IsNaN(values[1]) && double.IsNaN(values[2]));
        Assert.Equal(4.0, values[3]);
        var selected = CsvFormat.Read(Write("na2.csv", "id,x\na,\nb,2\n"), ["x"]).Values.ToDoubleArray();
        Assert.True(double.IsNaN(selected[0]));
        Assert.Equal(2.0, selected[1]);
    }
}
