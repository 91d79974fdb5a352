using System.CommandLine;
using System.CommandLine.Help;
using Monge.Cli.Commands;
using Monge.Cli.Infrastructure;
using Monge.IO;

namespace Monge.Cli;

/// <summary>The <c>monge</c> command tree. <see cref="Run"/> is what <c>Main</c> calls and what tests call in-process.</summary>
public static class MongeApp
{
    /// <summary>Builds the root command with every verb.</summary>
    public static Command CreateRoot(CliContext context)
    {
        // A plain Command named "monge" (not RootCommand, which takes its name from the assembly, Monge.Cli).
        var root = new Command("monge", "monge: optimal transport from the command line (generate data, inspect files, solve, match).");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(CommonOptions.Verbose());
        root.Subcommands.Add(InfoCommand.Create(context));
        root.Subcommands.Add(GenerateCommand.Create(context));
        root.Subcommands.Add(PlotCommand.Create(context));
        root.Subcommands.Add(SolveCommand.Create(context));
        root.Subcommands.Add(DivergenceCommand.Create(context));
        root.Subcommands.Add(MatchCommand.Create(context));
        root.Subcommands.Add(GwCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(Commands.Align.AlignCommand.Create(context));
        root.Subcommands.Add(Commands.Cluster.ClusterCommand.Create(context));
        root.Subcommands.Add(BarycenterCommand.Create(context));
        root.Subcommands.Add(SoftSortCommand.Create(context));
        root.Subcommands.Add(MapCommand.Create(context));
        return root;
    }

    /// <summary>Parses and runs a command line; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Receives JSON summaries and help.</param>
    /// <param name="stderr">Receives human-readable output and error messages.</param>
    /// <param name="cancellation">Cancels long-running work.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var context = new CliContext(stdout, stderr, cancellation);
        var root = CreateRoot(context);
        var parsed = root.Parse(args);
        var verbose = args.Contains("--verbose", StringComparer.Ordinal);
        var json = args.Contains("--json", StringComparer.Ordinal);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine($"monge: error: {error.Message}");
            }

            stderr.WriteLine("Run 'monge --help' for usage.");
            if (json)
            {
                JsonOutput.Write(stdout, CliErrors.Json(string.Join(" ", parsed.Errors.Select(e => e.Message)), ExitCodes.BadInput));
            }

            return ExitCodes.BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            var (code, message) = Classify(ex, args);
            stderr.WriteLine($"monge: error: {message}");
            if (json)
            {
                JsonOutput.Write(stdout, CliErrors.Json(message, code));
            }

            if (verbose)
            {
                stderr.WriteLine(ex.ToString());
            }

            return code;
        }
    }

    private static (int Code, string Message) Classify(Exception ex, string[] args) => ex switch
    {
        OperationCanceledException => (ExitCodes.Cancelled, "cancelled."),
        UsageException or InputValidationException or DataSelectionException or ArgumentException => (ExitCodes.BadInput, CliErrors.Message(ex, args)),
        DataFormatException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException => (ExitCodes.IoFailure, CliErrors.Message(ex, args)),
        _ => (ExitCodes.BadInput, $"{CliErrors.Message(ex, args)} (an internal error: please report it with the output of --verbose)"),
    };
}
