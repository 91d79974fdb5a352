namespace Monge.Tools;

/// <summary>The labels predicted by <see cref="LabelTransfer"/> for the target points of a plan.</summary>
/// <param name="Categories">The label names; code c names <c>Categories[c]</c> (the tie-breaking order).</param>
/// <param name="Codes">Per target point, the winning code, or −1 when the target receives no mass from labelled sources.</param>
/// <param name="Confidence">Per target point, the winning label's mass divided by the target's incoming mass Σ_i P_ij, in
/// (0, 1]; NaN for a target without a label.</param>
/// <param name="WinningMass">Per target point, the mass Σ_i P_ij [label_i = winner] (0 without a label).</param>
/// <param name="IncomingMass">Per target point, the incoming mass Σ_i P_ij (the plan's target marginal).</param>
public sealed record LabelTransferResult(
    IReadOnlyList<string> Categories,
    int[] Codes,
    double[] Confidence,
    double[] WinningMass,
    double[] IncomingMass)
{
    /// <summary>Number of target points.</summary>
    public int Count => Codes.Length;

    /// <summary>Number of target points without a label (code −1).</summary>
    public int Unlabelled => Codes.Count(c => c < 0);

    /// <summary>The predicted label of target <paramref name="index"/>, or null when it has none.</summary>
    /// <param name="index">The target point.</param>
    public string? Label(int index) => Codes[index] >= 0 ? Categories[Codes[index]] : null;

    /// <summary>The predicted labels of all target points (null where there is none).</summary>
    public string?[] Labels() => Enumerable.Range(0, Count).Select(Label).ToArray();
}
