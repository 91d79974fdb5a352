namespace Monge.Numerics;

/// <summary>
/// Loops over fixed chunks of rows: the split of the work depends only on the number of rows and the chunk size, never on
/// the thread count, so per-chunk partial results added in chunk order (or rows written independently) give the same
/// bits on any number of threads. With no <see cref="ParallelOptions"/>, or a single chunk, the chunks run in order on
/// the calling thread. Shared by HiRef's co-clustering (chunks of 1 024 rows) and the Nyström cost factors (4 096).
/// </summary>
internal static class FixedChunks
{
    /// <summary>The number of chunks of <paramref name="chunkRows"/> rows covering <paramref name="rows"/> rows.</summary>
    public static int Count(int rows, int chunkRows) => (rows + chunkRows - 1) / chunkRows;

    /// <summary>The rows [Start, End) of chunk <paramref name="chunk"/>.</summary>
    public static (int Start, int End) Range(int chunk, int rows, int chunkRows) => (chunk * chunkRows, Math.Min(rows, (chunk + 1) * chunkRows));

    /// <summary>Runs <paramref name="body"/> once per chunk index, on the threads of <paramref name="parallel"/> when given
    /// and there are at least two chunks, otherwise in order on this thread.</summary>
    public static void For(int chunks, ParallelOptions? parallel, Action<int> body)
    {
        if (parallel is null || chunks < 2)
        {
            for (var c = 0; c < chunks; c++)
            {
                body(c);
            }
        }
        else
        {
            Parallel.For(0, chunks, parallel, body);
        }
    }

    /// <summary>Runs <paramref name="body"/>(start, end) once per chunk of <paramref name="chunkRows"/> rows (as
    /// <see cref="For"/>).</summary>
    public static void ForRanges(int rows, int chunkRows, ParallelOptions? parallel, Action<int, int> body) =>
        For(Count(rows, chunkRows), parallel, c =>
        {
            var (start, end) = Range(c, rows, chunkRows);
            body(start, end);
        });
}
