using System.Numerics;
using Monge.Geometry;
using Monge.Solvers;

namespace Monge.Tools;

/// <summary>
/// Label transfer through a transport plan: each target point j gets the label whose source points send it the most mass,
/// argmax_c Σ_i P_ij [label_i = c], with a confidence = that mass / Σ_i P_ij (the share of the target's incoming mass
/// carried by the winning label). Works on any <see cref="ITransportPlan{T}"/> through <c>ApplyPlan</c> on blocks of the
/// one-hot label matrix (Pᵀ·Y, <see cref="Axis.Columns"/>), so the plan is never materialized: memory O((n + m)·b) with b
/// ≤ <see cref="BlockLabels"/> label columns per block; time = ⌈L / b⌉ plan products plus the target marginal (for a Sinkhorn plan each is one
/// online pass over the n × m tiles; for sparse and low-rank plans they are linear in n + m).
/// </summary>
/// <remarks>
/// <para>
/// Ties: the winning label is the first, in the order of the categories, whose mass is within a relative
/// <see cref="TieTolerance"/> of the largest (so exact ties, and ties that differ only by rounding of SIMD sums, are broken
/// the same way on every CPU). <see cref="Predict{T}(ITransportPlan{T}, IReadOnlyList{string?})"/> orders the categories
/// ordinally, so a tie goes to the label that sorts first.
/// </para>
/// <para>
/// Sources without a label (a null label, code −1) send mass that counts in the target's incoming mass but votes for no
/// label. A target with no incoming mass from labelled sources gets no label (code −1, confidence NaN): reported, never
/// guessed.
/// </para>
/// </remarks>
public static class LabelTransfer
{
    /// <summary>Relative tolerance under which two label masses count as tied (the first category wins).</summary>
    public const double TieTolerance = 1e-12;

    /// <summary>Labels per plan product (columns of one one-hot block).</summary>
    public const int BlockLabels = 64;

    /// <summary>Predicts every target's label from string labels of the sources (null = unlabelled).</summary>
    /// <typeparam name="T">The plan's element type.</typeparam>
    /// <param name="plan">The plan P (n × m).</param>
    /// <param name="labels">One label per source point (length n); null for a source without a label.</param>
    /// <returns>The prediction; categories are the distinct labels in ordinal order.</returns>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="InputValidationException">The number of labels is not n.</exception>
    public static LabelTransferResult Predict<T>(ITransportPlan<T> plan, IReadOnlyList<string?> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(labels);
        CheckLength(plan, labels.Count);
        var categories = labels.Where(l => l is not null).Select(l => l!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
        for (var c = 0; c < categories.Length; c++)
        {
            index[categories[c]] = c;
        }

        var codes = new int[labels.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = labels[i] is { } label ? index[label] : -1;
        }

        return Predict(plan, codes, categories);
    }

    /// <summary>Predicts every target's label from integer codes of the sources.</summary>
    /// <typeparam name="T">The plan's element type.</typeparam>
    /// <param name="plan">The plan P (n × m).</param>
    /// <param name="codes">One code per source point (length n), in [0, L) or −1 for a source without a label.</param>
    /// <param name="categories">The L category names, in tie-breaking order (code c names <c>categories[c]</c>).</param>
    /// <returns>The prediction.</returns>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="InputValidationException">The number of codes is not n, or a code is outside [−1, L).</exception>
    public static LabelTransferResult Predict<T>(ITransportPlan<T> plan, ReadOnlySpan<int> codes, IReadOnlyList<string> categories)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(categories);
        CheckLength(plan, codes.Length);
        var labelCount = categories.Count;
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] < -1 || codes[i] >= labelCount)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Label code {codes[i]} of source {i} is outside [-1, {labelCount}).", nameof(codes), i);
            }
        }

        var n = plan.SourceCount;
        var m = plan.TargetCount;
        var best = new int[m];
        var bestMass = new double[m];
        Array.Fill(best, -1);
        var incoming = plan.TargetMarginal;
        for (var c0 = 0; c0 < labelCount; c0 += BlockLabels)
        {
            var width = Math.Min(BlockLabels, labelCount - c0);
            var block = new T[(long)n * width];
            for (var i = 0; i < n; i++)
            {
                var c = codes[i] - c0;
                if (c >= 0 && c < width)
                {
                    block[((long)i * width) + c] = T.One;
                }
            }

            // Pᵀ·Y: row j holds the mass target j receives from each label of this block.
            var mass = plan.ApplyPlan(block, width, Axis.Columns);
            for (var j = 0; j < m; j++)
            {
                var row = mass.AsSpan(j * width, width);
                for (var c = 0; c < width; c++)
                {
                    // Strictly larger beyond the tie tolerance: the earlier category wins a tie.
                    if (row[c] > 0 && (best[j] < 0 || row[c] > bestMass[j] * (1 + TieTolerance)))
                    {
                        best[j] = c0 + c;
                        bestMass[j] = row[c];
                    }
                }
            }
        }

        var confidence = new double[m];
        for (var j = 0; j < m; j++)
        {
            confidence[j] = best[j] >= 0 && incoming[j] > 0 ? Math.Min(1.0, bestMass[j] / incoming[j]) : double.NaN;
        }

        return new LabelTransferResult(categories.ToArray(), best, confidence, bestMass, incoming);
    }

    private static void CheckLength<T>(ITransportPlan<T> plan, int labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (labels != plan.SourceCount)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{labels} source labels for a plan with {plan.SourceCount} source points.", nameof(labels));
        }
    }
}
