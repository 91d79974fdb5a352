namespace Monge.Cli;

/// <summary>Exit codes of the <c>monge</c> tool (see docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The solver diverged (always), or stopped at its iteration budget without converging (with <c>--strict</c>).</summary>
    public const int NotConverged = 1;

    /// <summary>Bad input or usage: unknown option, invalid value, invalid data.</summary>
    public const int BadInput = 2;

    /// <summary>I/O failure: a file is missing, unreadable, malformed, or would be overwritten without <c>--overwrite</c>.</summary>
    public const int IoFailure = 3;

    /// <summary>The run was cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
