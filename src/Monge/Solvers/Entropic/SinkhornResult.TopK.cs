namespace Monge.Solvers.Entropic;

/// <content>The top-k capability: <see cref="TopK"/> (in SinkhornResult.Maps.cs) is one online pass over the tiles.</content>
public sealed partial class SinkhornResult<T> : IPlanTopK
{
}
