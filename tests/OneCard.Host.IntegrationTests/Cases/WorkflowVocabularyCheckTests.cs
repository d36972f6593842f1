using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Testing;
using OneCard.Workflows;

namespace OneCard.Host.IntegrationTests.Cases;

/// <summary>
/// Issue 6, item 2: every name a definition uses is checked against the host's registered vocabulary, and an unknown
/// one is reported with its place (definition, step or transition, field) and, when one is close, the name meant.
/// </summary>
public sealed class WorkflowVocabularyCheckTests : IAsyncLifetime
{
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "workflows");

    /// <summary>standard-subsidy v2 as v3, changed by <paramref name="edit"/>.</summary>
    private static WorkflowDefinition V3(Action<JsonObject> edit)
    {
        var v3 = JsonNode.Parse(File.ReadAllText(Path.Combine(Shipped, "standard-subsidy.v2.json")))!.AsObject();
        v3["version"] = 3;
        edit(v3);
        return WorkflowDefinitionLoader.Load(v3.ToJsonString(), "standard-subsidy.v3.json");
    }

    private static JsonObject Step(JsonObject definition, string name) =>
        definition["steps"]!.AsArray().Select(s => s!.AsObject()).Single(s => (string?)s["name"] == name);

    private IReadOnlyList<VocabularyError> Check(params WorkflowDefinition[] definitions)
    {
        using var scope = app.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<WorkflowVocabularyCheck>().Find(definitions);
    }

    [Fact]
    public void MisspeltGuard_IsLocatedAtItsTransition_WithTheNameMeant()
    {
        var v3 = V3(d => d["transitions"]![8]!["guard"] = "AllSampleLinesChecked");

        var error = Assert.Single(Check(v3));

        Assert.Equal(("standard-subsidy@3", "standard-subsidy.v3.json", "transitions[8].guard", "AllSampleLinesChecked", "AllSampledLinesChecked"),
            (error.VersionKey, error.File, error.Path, error.Name, error.Suggestion));
        Assert.StartsWith("流程定义 standard-subsidy@3（standard-subsidy.v3.json）第9条转移（SampleCheck —Complete→ Publicity）的 guard “AllSampleLinesChecked” 未注册（是否应为 AllSampledLinesChecked？）",
            error.MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownEffect_IsLocatedAtItsStep_WithoutASuggestion_WhenNothingIsClose()
    {
        var v3 = V3(d => Step(d, "SampleCheck")["onEnter"] = new JsonArray("DrawSample", "SendFax"));

        var error = Assert.Single(Check(v3));

        Assert.Equal(("steps[3].onEnter[1]", "SendFax", null), (error.Path, error.Name, error.Suggestion));
        Assert.Contains("步骤 SampleCheck 的 onEnter[1] “SendFax” 未注册", error.MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLineActions_AreEachLocated_AndAllReportedTogether()
    {
        var v3 = V3(d =>
        {
            Step(d, "ObjectionReview")["lineActions"] = new JsonArray("ResolveObjections", "RejectLines");
            Step(d, "TownshipReview")["lineActions"] = new JsonArray("RejectLine");
        });

        var errors = Check(v3);

        Assert.Equal(
            [("steps[0].lineActions[0]", "RejectLine", "RejectLines"), ("steps[5].lineActions[0]", "ResolveObjections", "ResolveObjection")],
            errors.Select(e => (e.Path, e.Name, e.Suggestion)).ToArray());
        var refused = Assert.Throws<WorkflowVocabularyException>(() => app.Services.CreateScope().ServiceProvider
            .GetRequiredService<WorkflowVocabularyCheck>().EnsureKnown([v3]));
        Assert.Equal(2, refused.Errors.Count);
        Assert.Contains("lineActions[0] “ResolveObjections” 未注册（是否应为 ResolveObjection？）", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedDefinitions_UseOnlyRegisteredNames()
    {
        Assert.Empty(Check([.. WorkflowCatalog.LoadFromDirectory(Shipped).All]));
    }
}
