using System.Security.Cryptography;
using System.Text;
using static OneCard.Workflows.Tests.TestData;

namespace OneCard.Workflows.Tests.Definitions;

public sealed class WorkflowCatalogTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("onecard-workflows-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void LoadFromDirectory_LoadsShippedDefinitions_AndSkipsThePublishedSchema()
    {
        var all = Catalog.All;

        Assert.Equal(["complaint-handling@1", "inspection-campaign@1", "inspection-item@1", "payment-batch@1", "payment-correction@1", "rule-set-approval@1", "standard-subsidy@1", "standard-subsidy@2", "standard-subsidy@3", "standard-subsidy@4", "standard-subsidy@5"], all.Select(d => d.VersionKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Sha256_IsLowerHexOfTheFileWithLfLineEndings()
    {
        var text = File.ReadAllText(Path.Combine(WorkflowsDirectory, "standard-subsidy.v1.json"));
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"))));

        Assert.Equal(expected, StandardSubsidy.Sha256);
        Assert.Equal(text, StandardSubsidy.Json);
        Assert.Equal(StandardSubsidy.Sha256, WorkflowDefinitionLoader.Load(text.ReplaceLineEndings("\r\n"), "crlf").Sha256);
    }

    [Fact]
    public void Get_Throws_DefinitionNotFound_ForUnknownVersion()
    {
        var ex = Assert.Throws<WorkflowException>(() => Catalog.Get("standard-subsidy", 99));

        Assert.Equal(WorkflowErrorCodes.DefinitionNotFound, ex.Code);
    }

    [Fact]
    public void Latest_Throws_DefinitionNotFound_ForUnknownId()
    {
        var ex = Assert.Throws<WorkflowException>(() => Catalog.Latest("no-such-process"));

        Assert.Equal(WorkflowErrorCodes.DefinitionNotFound, ex.Code);
    }

    [Fact]
    public void Latest_ReturnsHighestVersion_AndGetStillReturnsPinnedOne()
    {
        var v1 = Fixture("valid-minimal.json");
        Write("mini.v1.json", v1);
        Write("mini.v2.json", v1.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal));
        Write("workflow-definition.schema.json", WorkflowDefinitionLoader.SchemaText);
        Write(WorkflowCatalog.MovedCalendarFile, "{ \"holidays\": [] }"); // a build output from before the calendar moved to data/

        var catalog = WorkflowCatalog.LoadFromDirectory(_dir.FullName);

        Assert.Equal(2, catalog.Latest("mini").Version);
        Assert.Equal(1, catalog.Get("mini", 1).Version);
        Assert.Equal(["mini@1", "mini@2"], catalog.All.Select(d => d.VersionKey));
    }

    [Fact]
    public void LoadFromDirectory_Throws_WhenFileNameDoesNotMatchContent()
    {
        Write("mini.v2.json", Fixture("valid-minimal.json"));

        var ex = Assert.Throws<WorkflowDefinitionException>(() => WorkflowCatalog.LoadFromDirectory(_dir.FullName));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(WorkflowDefinitionErrorCodes.DuplicateVersion, error.Code);
        Assert.EndsWith("mini.v2.json", error.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromDirectory_ReportsErrorsOfEveryBadFile_WithTheirPaths()
    {
        Write("a.v1.json", Fixture("unknown-kind.json"));
        Write("b.v1.json", Fixture("malformed.json"));

        var ex = Assert.Throws<WorkflowDefinitionException>(() => WorkflowCatalog.LoadFromDirectory(_dir.FullName));

        Assert.Contains(ex.Errors, e => e.Source.EndsWith("a.v1.json", StringComparison.Ordinal) && e.Code == WorkflowDefinitionErrorCodes.UnknownKind);
        Assert.Contains(ex.Errors, e => e.Source.EndsWith("b.v1.json", StringComparison.Ordinal) && e.Code == WorkflowDefinitionErrorCodes.InvalidJson);
    }

    private void Write(string name, string json) => File.WriteAllText(Path.Combine(_dir.FullName, name), json);
}
