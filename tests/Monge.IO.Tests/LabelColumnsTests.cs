using Monge.Testing;

namespace Monge.IO.Tests;

/// <summary>Text columns (labels, ids) read from AnnData, CSV and Parquet; the oracle is pandas' own CSV of the same obs
/// table (tools/fixtures/io.py writes both).</summary>
public sealed class LabelColumnsTests
{
    private static string FixturePath(string name) => Path.Combine(Fixtures.Directory, name);

    private static string?[] Expected(string column) => CsvFormat.ReadText(FixturePath("io_labels_expected.csv"), column);

    [Fact]
    public void ReadText_PandasCsv_ReadsQuotedFieldsAndMissingValues()
    {
        var types = Expected("cell_type");
        Assert.Equal(12, types.Length);
        Assert.Equal("neuron, cortical", types[2]); // pandas quoted the comma
        Assert.Null(types[11]); // pandas writes NaN as an empty field
    }

    [Theory]
    [InlineData("obs/cell_type", "cell_type")] // categorical with a missing value (code −1)
    [InlineData("obs/batch", "batch")] // string column (anndata 0.8 writes it categorical)
    [InlineData("obs/cluster", "cluster")] // int64 column
    public void ReadText_AnnDataColumn_MatchesPandas(string key, string column)
    {
        var labels = AnnDataFormat.ReadText(FixturePath("io_labels_source.h5ad"), key);
        Assert.Equal(Expected(column), labels);
    }

    [Fact]
    public void ReadObsNames_MatchesPandasIndex()
    {
        Assert.Equal(Expected("name"), AnnDataFormat.ReadObsNames(FixturePath("io_labels_source.h5ad")));
    }

    [Fact]
    public void ReadText_FloatColumn_IsRefused()
    {
        var error = Assert.Throws<DataSelectionException>(() => AnnDataFormat.ReadText(FixturePath("io_labels_source.h5ad"), "obs/score"));
        Assert.Contains("obs/score", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("table.csv")]
    [InlineData("table.parquet")]
    public void WriteTable_RoundTripsTextAndNumbers(string name)
    {
        using var folder = new TempFolder();
        var path = folder.File(name);
        string?[] labels = ["a", "b, with comma", null, "quote \"q\""];
        double[] confidence = [1.0, 0.25, double.NaN, 1.0 / 3];
        TableColumn[] columns = [TableColumn.Text("id", ["0", "1", "2", "3"]), TableColumn.Text("label", labels), TableColumn.Number("confidence", confidence)];
        if (name.EndsWith(".csv", StringComparison.Ordinal))
        {
            CsvFormat.WriteTable(path, columns);
            Assert.Equal(labels, CsvFormat.ReadText(path, "label"));
            NumericAssert.Close(confidence, CsvFormat.Read(path, ["confidence"]).Values.ToDoubleArray(), 0, 0);
        }
        else
        {
            ParquetFormat.WriteTable(path, columns);
            Assert.Equal(labels, ParquetFormat.ReadText(path, "label"));
            Assert.Equal(new string?[] { "0", "1", "2", "3" }, ParquetFormat.ReadText(path, "id"));
            NumericAssert.Close(confidence, ParquetFormat.Read(path, ["confidence"]).Values.ToDoubleArray(), 0, 0);
        }
    }
}
