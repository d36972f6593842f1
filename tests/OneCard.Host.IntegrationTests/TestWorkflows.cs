using System.Text.Json.Nodes;

namespace OneCard.Host.IntegrationTests;

/// <summary>
/// A temporary workflows folder for a test host (<c>Workflows:Directory</c>): the shipped definitions plus the test's
/// own. Test versions use high numbers (90 and up) so they never collide with a version shipped later.
/// </summary>
public sealed class TestWorkflows : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("onecard-workflows-").FullName;

    public static string Shipped => Path.Combine(AppContext.BaseDirectory, "workflows");

    public TestWorkflows()
    {
        foreach (var file in System.IO.Directory.GetFiles(Shipped, "*.json")) File.Copy(file, Path.Combine(Directory, Path.GetFileName(file)));
    }

    /// <summary>The host setting that points at this folder.</summary>
    public Dictionary<string, string?> Settings => new() { ["Workflows:Directory"] = Directory };

    /// <summary>Writes a shipped definition as version <paramref name="version"/>, its JSON text changed by <paramref name="edit"/> first.</summary>
    public TestWorkflows Variant(string shippedFile, int version, Func<string, string>? edit = null)
    {
        var json = JsonNode.Parse(edit is null ? File.ReadAllText(Path.Combine(Shipped, shippedFile)) : edit(File.ReadAllText(Path.Combine(Shipped, shippedFile))))!.AsObject();
        json["version"] = version;
        return Add($"{json["definitionId"]}.v{version}.json", json.ToJsonString());
    }

    /// <summary>Adds a definition file of the test's own.</summary>
    public TestWorkflows Add(string fileName, string json)
    {
        File.WriteAllText(Path.Combine(Directory, fileName), json);
        return this;
    }

    /// <summary>Renames a step or action everywhere it appears as a whole JSON string value.</summary>
    public static string Rename(string json, params (string From, string To)[] names) =>
        names.Aggregate(json, (text, n) => text.Replace($"\"{n.From}\"", $"\"{n.To}\"", StringComparison.Ordinal));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
