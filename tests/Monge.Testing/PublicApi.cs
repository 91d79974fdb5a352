using System.Reflection;
using PublicApiGenerator;

namespace Monge.Testing;

/// <summary>
/// The public API approval check: renders an assembly's public surface as C# text (PublicApiGenerator) and compares it
/// with the committed file <c>api/NAME.txt</c>, so every change to the public surface shows up in review as a diff of
/// that file. Run the tests with <c>MONGE_UPDATE_API=1</c> to rewrite the files after an intended change.
/// </summary>
public static class PublicApi
{
    /// <summary>The environment variable that makes <see cref="Verify"/> rewrite the approved file instead of comparing.</summary>
    public const string UpdateVariable = "MONGE_UPDATE_API";

    /// <summary>Compares the public API of <paramref name="assembly"/> with <c>api/<paramref name="name"/>.txt</c>.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <param name="name">The file's base name (the assembly name).</param>
    /// <returns>Null when they agree (or the file was rewritten); otherwise a message with the first differing line.</returns>
    public static string? Verify(Assembly assembly, string name)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var actual = Normalize(assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }));
        var path = Path.Combine(Path.GetDirectoryName(Fixtures.Directory)!, "..", "api", name + ".txt");
        path = Path.GetFullPath(path);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return null;
        }

        if (!File.Exists(path))
        {
            return $"{path} is missing; run the tests with {UpdateVariable}=1 to create it.";
        }

        var expected = Normalize(File.ReadAllText(path));
        if (expected == actual)
        {
            return null;
        }

        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var line = 0;
        while (line < e.Length && line < a.Length && e[line] == a[line])
        {
            line++;
        }

        var was = line < e.Length ? e[line].Trim() : "(end of file)";
        var now = line < a.Length ? a[line].Trim() : "(end of file)";
        return $"The public API of {name} changed (api/{name}.txt line {line + 1}): approved `{was}`, now `{now}`. " +
            $"If the change is intended, run the tests with {UpdateVariable}=1 and commit api/{name}.txt.";
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";
}
