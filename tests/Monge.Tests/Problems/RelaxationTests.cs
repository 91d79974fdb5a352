using Monge.Problems;
using Monge.Testing;

namespace Monge.Tests.Problems;

public class RelaxationTests
{
    [Fact]
    public void Balanced_BothSides_AreExactAtEveryEpsilon()
    {
        var relaxation = Relaxation.Balanced;
        Assert.True(relaxation.IsBalanced && relaxation.IsExactA && relaxation.IsExactB);
        Assert.Equal(1.0, relaxation.TauA(0.3));
        Assert.Equal(double.PositiveInfinity, relaxation.RhoB(0.3));
        Assert.Same(Relaxation.Balanced, Relaxation.FromTau(1, 1));
        Assert.True(Relaxation.FromRho(double.PositiveInfinity, double.PositiveInfinity).IsBalanced);
    }

    [Theory]
    [InlineData(0.8, 0.05)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.999, 1e-3)]
    public void FromTauAndFromRho_EquivalentParameters_ConvertIntoEachOther(double tau, double epsilon)
    {
        var asTau = Relaxation.FromTau(tau, 1);
        var rho = asTau.RhoA(epsilon);
        NumericAssert.Close(epsilon * tau / (1 - tau), rho, rtol: 1e-14);
        var asRho = Relaxation.FromRho(rho, double.PositiveInfinity);
        NumericAssert.Close(tau, asRho.TauA(epsilon), rtol: 1e-12);
        Assert.True(asRho.IsGivenAsRho && !asTau.IsGivenAsRho);
        Assert.True(asRho.IsExactB && !asRho.IsExactA && !asRho.IsBalanced);
        var bound = asRho.AtEpsilon(epsilon);
        Assert.False(bound.IsGivenAsRho);
        NumericAssert.Close(tau, bound.TauA(123), rtol: 1e-12);
    }

    [Fact]
    public void TauA_RelaxationGivenAsRho_DependsOnEpsilonAndTauGivenDoesNot()
    {
        var rho = Relaxation.FromRho(50, 50);
        NumericAssert.Close(50 / 50.5, rho.TauA(0.5), rtol: 1e-15);
        NumericAssert.Close(50 / 51.0, rho.TauB(1.0), rtol: 1e-15);
        var tau = Relaxation.FromTau(0.7, 0.9);
        Assert.Equal(0.7, tau.TauA(0.5));
        Assert.Equal(0.7, tau.TauA(5));
        Assert.Equal("rho_a = 50, rho_b = 50", rho.ToString());
        Assert.Equal("balanced", Relaxation.Balanced.ToString());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void FromTau_OutsideZeroOne_Throws(double tau)
    {
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => Relaxation.FromTau(tau, 1)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => Relaxation.FromTau(1, tau)).Problem);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void FromRho_NotPositive_Throws(double rho)
    {
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => Relaxation.FromRho(rho, 1)).Problem);
    }

    [Fact]
    public void Conversion_WithInvalidEpsilon_Throws()
    {
        Assert.Throws<InputValidationException>(() => Relaxation.FromRho(1, 1).TauA(0));
        Assert.Throws<InputValidationException>(() => Relaxation.FromTau(0.5, 1).RhoA(double.NaN));
    }

    [Fact]
    public void LinearProblem_RelaxedWithUnequalMasses_IsAcceptedAndBalancedIsNot()
    {
        var geometry = new Monge.Geometry.DenseGeometry<double>([1, 2, 3, 4], 2, 2);
        double[] a = [1, 1];
        double[] b = [0.5, 0.5];
        Assert.Equal(InputProblem.MassMismatch, Assert.Throws<InputValidationException>(() => new LinearProblem<double>(geometry, a, b)).Problem);
        var problem = new LinearProblem<double>(geometry, a, b, Relaxation.FromRho(1, double.PositiveInfinity));
        Assert.False(problem.IsBalanced);
        Assert.Same(problem, problem.WithRelaxation(problem.Relaxation));
        Assert.Equal(InputProblem.MassMismatch, Assert.Throws<InputValidationException>(() => problem.WithRelaxation(Relaxation.Balanced)).Problem);
    }
}
