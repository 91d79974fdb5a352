using System.CommandLine;

namespace Monge.Cli.Infrastructure;

/// <summary>
/// The options of a verb with a <c>--method</c> (solve, match): every method declares the options it uses, each with
/// its own description; an option used by several methods is added to the command once, and its help line is composed
/// from every method's own statement (methods with the same statement are listed together). After parsing,
/// <see cref="RejectForeign"/> refuses an option given on the command line that the chosen method does not use.
/// </summary>
public sealed class MethodOptions
{
    private readonly Dictionary<string, Option> _options = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _users = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>
    /// Builds the table from each method's declared options. Options with the same name must have the same value type
    /// and the same default (no declaration silently wins over another).
    /// </summary>
    /// <param name="declarations">Each method's name and the options it declares (descriptions are its own statements).</param>
    /// <param name="leads">Optional text put before the per-method statements of an option, by option name.</param>
    /// <exception cref="InvalidOperationException">Two methods declare one name with different types or defaults.</exception>
    public MethodOptions(IEnumerable<(string Method, IEnumerable<Option> Options)> declarations, IReadOnlyDictionary<string, string>? leads = null)
    {
        ArgumentNullException.ThrowIfNull(declarations);
        var statements = new Dictionary<string, List<(string Method, string Text)>>(StringComparer.Ordinal);
        foreach (var (method, options) in declarations)
        {
            foreach (var option in options)
            {
                if (_options.TryGetValue(option.Name, out var first))
                {
                    if (first.ValueType != option.ValueType || !Equals(DefaultOf(first), DefaultOf(option)))
                    {
                        throw new InvalidOperationException($"{option.Name} is declared by {string.Join(", ", _users[option.Name])} and {method} with different types or defaults.");
                    }
                }
                else
                {
                    _options[option.Name] = option;
                    _users[option.Name] = [];
                    statements[option.Name] = [];
                    _order.Add(option.Name);
                }

                _users[option.Name].Add(method);
                statements[option.Name].Add((method, option.Description ?? string.Empty));
            }
        }

        foreach (var name in _order)
        {
            var groups = statements[name].GroupBy(s => s.Text, StringComparer.Ordinal).ToList();
            var lead = leads is not null && leads.TryGetValue(name, out var text) ? text + " " : string.Empty;
            _options[name].Description = lead + string.Join("; ", groups.Select(g => $"{string.Join("/", g.Select(s => s.Method))}: {g.Key.TrimEnd('.')}")) + ".";
        }
    }

    /// <summary>Every option, once, in declaration order (method order, then each method's order).</summary>
    public IEnumerable<Option> All => _order.Select(n => _options[n]);

    /// <summary>The methods that use an option, in declaration order.</summary>
    /// <param name="name">The option name, for example "--epsilon".</param>
    public IReadOnlyList<string> UsersOf(string name) => _users.TryGetValue(name, out var users) ? users : [];

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    /// <param name="command">The verb.</param>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// Refuses every option given on the command line that <paramref name="method"/> does not use (an option with a
    /// default counts only when it appears in the tokens).
    /// </summary>
    /// <param name="parse">The parse result.</param>
    /// <param name="method">The chosen method.</param>
    /// <exception cref="UsageException">One line naming each such option, the method, and the methods that use it.</exception>
    public void RejectForeign(ParseResult parse, string method)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var foreign = _order
            .Where(n => !_users[n].Contains(method, StringComparer.Ordinal) && parse.GetResult(_options[n]) is { Implicit: false })
            .Select(n => $"{n} (used by {string.Join(", ", _users[n])})")
            .ToList();
        if (foreign.Count > 0)
        {
            throw new UsageException($"--method {method} does not use {string.Join(", ", foreign)}.");
        }
    }

    private static object? DefaultOf(Option option) => option.HasDefaultValue ? option.GetDefaultValue() : null;
}
