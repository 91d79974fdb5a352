using Monge.Geometry.Costs;

namespace Monge.Tests.Geometry;

public sealed class CostFunctionTests
{
    [Theory]
    [InlineData("sqeuclidean", "sqeuclidean")]
    [InlineData(" SqEuclidean ", "sqeuclidean")]
    [InlineData("euclidean", "euclidean")]
    [InlineData("pnorm:1.5", "pnorm:1.5")]
    [InlineData("pnorm:1", "pnorm:1")]
    [InlineData("cosine", "cosine")]
    [InlineData("dot", "dot")]
    public void Parse_KnownName_RoundTripsThroughName(string text, string canonical)
    {
        var cost = CostFunction.Parse<double>(text);
        Assert.Equal(canonical, cost.Name);
        Assert.Equal(canonical, CostFunction.Parse<float>(cost.Name).Name);
    }

    [Fact]
    public void Parse_KnownNames_EvaluateTheDocumentedFormulas()
    {
        double[] x = [1, 2, 2];
        double[] y = [0, 0, 1];
        Assert.Equal(1 + 4 + 1, CostFunction.Parse<double>("sqeuclidean").Evaluate(x, y), 12);
        Assert.Equal(Math.Sqrt(6), CostFunction.Parse<double>("euclidean").Evaluate(x, y), 12);
        Assert.Equal(1 + Math.Pow(2, 1.5) + 1, CostFunction.Parse<double>("pnorm:1.5").Evaluate(x, y), 12);
        Assert.Equal(-2, CostFunction.Parse<double>("dot").Evaluate(x, y), 12);
        Assert.Equal(1 - (2 / 3.0), CostFunction.Parse<double>("cosine").Evaluate(x, y), 6);
    }

    [Theory]
    [InlineData("manhattan")]
    [InlineData("pnorm")]
    [InlineData("pnorm:")]
    [InlineData("pnorm:0.5")]
    [InlineData("pnorm:abc")]
    [InlineData("pnorm:inf")]
    [InlineData("")]
    public void Parse_BadName_ThrowsNamingTheAcceptedCosts(string text)
    {
        var error = Assert.Throws<InputValidationException>(() => CostFunction.Parse<double>(text));
        Assert.Equal(InputProblem.InvalidParameter, error.Problem);
        Assert.Contains(text.StartsWith("pnorm:", StringComparison.Ordinal) ? "pnorm:P" : CostFunction.NameList, error.Message, StringComparison.Ordinal);
    }
}
