using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// A computation specialised per cost struct: <see cref="CostFunction.Dispatch{T, TVisitor, TResult}"/> calls
/// <see cref="Invoke{TCost}"/> with the concrete built-in struct, so the JIT compiles one copy per cost with no
/// interface call per pair. A visitor may be a <c>ref struct</c> (to carry spans).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <typeparam name="TResult">What the computation returns.</typeparam>
internal interface ICostVisitor<T, out TResult>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Runs the computation for one cost.</summary>
    /// <typeparam name="TCost">The cost struct (or <see cref="ICostFunction{T}"/> for a cost that is not built in).</typeparam>
    /// <param name="cost">The cost.</param>
    TResult Invoke<TCost>(TCost cost)
        where TCost : ICostFunction<T>;
}
