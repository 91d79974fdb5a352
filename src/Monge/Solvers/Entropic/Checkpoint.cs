using System.Numerics;

namespace Monge.Solvers.Entropic;

/// <summary>The iterate with the smallest marginal error seen so far (the start until a check passes): what the safeguard rolls back to.</summary>
internal sealed class Checkpoint<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _f;
    private readonly T[] _g;

    /// <summary>Holds the start of the run.</summary>
    public Checkpoint(SinkhornState<T> state)
    {
        _f = (T[])state.F.Clone();
        _g = (T[])state.G.Clone();
    }

    /// <summary>The marginal error of the held iterate (+∞ for the start, which was never checked).</summary>
    public double Error { get; private set; } = double.PositiveInfinity;

    /// <summary>Whether the held iterate passed a check (else it is the start).</summary>
    public bool HasError => double.IsFinite(Error);

    /// <summary>Holds the current iterate, whose error is <paramref name="error"/>.</summary>
    public void Save(SinkhornState<T> state, double error)
    {
        state.F.CopyTo(_f, 0);
        state.G.CopyTo(_g, 0);
        Error = error;
    }

    /// <summary>Copies the held iterate into the state.</summary>
    public void Restore(SinkhornState<T> state)
    {
        _f.CopyTo(state.F, 0);
        _g.CopyTo(state.G, 0);
    }
}
