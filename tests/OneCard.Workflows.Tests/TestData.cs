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
}
