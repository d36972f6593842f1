using System.Text.Json.Nodes;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// Issue 6, item 2, at the host: a definition that names a guard the host does not have keeps the host from
/// starting, with the place named, instead of answering HTTP 500 when a case reaches that transition.
/// </summary>
public sealed class WorkflowVocabularyStartupTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("onecard-workflows-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>The shipped definitions plus a v3 of standard-subsidy changed by <paramref name="edit"/>.</summary>
    private Dictionary<string, string?> WorkflowsWithV3(Action<JsonObject> edit)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
        foreach (var file in Directory.GetFiles(shipped, "standard-subsidy.v*.json")) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        var v3 = JsonNode.Parse(File.ReadAllText(Path.Combine(shipped, "standard-subsidy.v2.json")))!.AsObject();
        v3["version"] = 3;
        edit(v3);
        File.WriteAllText(Path.Combine(directory, "standard-subsidy.v3.json"), v3.ToJsonString());
        return new() { ["Workflows:Directory"] = directory };
    }

    [Fact]
    public async Task Host_RefusesToStart_WhenADefinitionMisspellsAGuard_NamingTheDefinitionTransitionAndName()
    {
        var settings = WorkflowsWithV3(v3 => v3["transitions"]![8]!["guard"] = "AllSampleLinesChecked");

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => OneCardApp.StartAsync(settings: settings));

        var text = refused.ToString();
        Assert.Contains("standard-subsidy@3", text, StringComparison.Ordinal);
        Assert.Contains("第9条转移", text, StringComparison.Ordinal);
        Assert.Contains("transitions[8].guard", text, StringComparison.Ordinal);
        Assert.Contains("“AllSampleLinesChecked” 未注册（是否应为 AllSampledLinesChecked？）", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_StartsOnTheShippedDefinitionsCopiedElsewhere_SoTheRefusalAboveIsAboutTheEdit()
    {
        var settings = WorkflowsWithV3(_ => { });

        await using var app = await OneCardApp.StartAsync(settings: settings);
        var submitted = await new CaseDriver(app).SubmitAsync();

        Assert.NotEqual(Guid.Empty, submitted);
    }
}
