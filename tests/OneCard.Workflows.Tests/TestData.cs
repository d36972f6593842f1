using System.Text.Json.Nodes;

namespace OneCard.Workflows.Tests;

/// <summary>The shipped workflows and data folders and JSON fixtures, as copied to the test output.</summary>
internal static class TestData
{
    public static string WorkflowsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "workflows");

    public static WorkingDayCalendar OfficialCalendar { get; } =
        WorkingDayCalendar.Load(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "calendar-cn.json")));

    public static WorkflowCatalog Catalog { get; } = WorkflowCatalog.LoadFromDirectory(WorkflowsDirectory);

    public static WorkflowDefinition StandardSubsidy => Catalog.Get("standard-subsidy", 1);

    public static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Definitions", "Fixtures", name));

    /// <summary>An instant in China Standard Time (+08:00).</summary>
    public static DateTimeOffset Cst(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, WorkingDayCalendar.Offset);

    /// <summary>The minimal valid definition fixture with the node at <paramref name="ownerPath"/> (e.g. <c>$.steps[1]</c>) changed.</summary>
    public static string Mutate(string ownerPath, Action<JsonNode> change) => Mutate(Fixture("valid-minimal.json"), ownerPath, change);

    /// <summary><paramref name="json"/> with the node at <paramref name="ownerPath"/> changed by <paramref name="change"/>.</summary>
    public static string Mutate(string json, string ownerPath, Action<JsonNode> change)
    {
        var root = JsonNode.Parse(json)!;
        var node = root;
        foreach (var part in ownerPath.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            node = bracket < 0
                ? node[part]!
                : node[part[..bracket]]![int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]!;
        }

        change(node);
        return root.ToJsonString();
    }
}
