namespace Monge.IO.Tests;

public sealed class CsvColumnsTests
{
    [Fact]
    public void ReadColumns_SkipsNonNumericColumnsThatAreNotSelected()
    {
        using var temp = new TempFolder();
        var path = temp.File("cells.csv");
        File.WriteAllText(path, "id,label,x,y\n1,tumor,0.5,1.5\n2,stroma,-2,3e2\n");
        var table = CsvFormat.Read(path, ["y", "x"]);
        Assert.Equal([2, 2], table.Values.Shape);
        Assert.Equal([1.5, 0.5, 300, -2], table.Values.ToDoubleArray());
    }

    [Fact]
    public void ReadColumns_NonNumericSelectedColumn_NamesLineAndColumn()
    {
        using var temp = new TempFolder();
        var path = temp.File("cells.csv");
        File.WriteAllText(path, "id,label,x\n1,tumor,0.5\n2,stroma,abc\n");
        // Text in a selected column is a selection problem (exit 2 in the CLI), not a damaged file.
        var ex = Assert.Throws<DataSelectionException>(() => CsvFormat.Read(path, ["label"]));
        Assert.Contains("line 2, column 'label'", ex.Message, StringComparison.Ordinal);
        var ex2 = Assert.Throws<DataSelectionException>(() => CsvFormat.Read(path, ["x"]));
        Assert.Contains("line 3", ex2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadColumns_MissingColumn_ListsColumns()
    {
        using var temp = new TempFolder();
        var path = temp.File("cells.csv");
        File.WriteAllText(path, "a,b\n1,2\n");
        var ex = Assert.Throws<DataSelectionException>(() => CsvFormat.Read(path, ["c"]));
        Assert.Contains("columns: a, b", ex.Message, StringComparison.Ordinal);
    }
}
