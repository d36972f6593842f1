using System.Text.Json.Nodes;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// Issue 5, finding 8, at the host: a rule set whose amount would publish a personal identifier, or whose
/// expression could run away, never becomes the version new cases start under — the host refuses to start
/// and names the place.
/// </summary>
public sealed class RuleSandboxStartupTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("onecard-rules-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>The shipped rule sets plus a v3 of 耕地地力保护补贴 changed by <paramref name="edit"/>.</summary>
    private Dictionary<string, string?> RulesWithV3(Action<JsonObject> edit)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "rules");
        foreach (var file in Directory.GetFiles(shipped, "*.json")) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        var v3 = JsonNode.Parse(File.ReadAllText(Path.Combine(shipped, "arable-land-protection.v2.json")))!.AsObject();
        v3["version"] = 3;
        edit(v3);
        File.WriteAllText(Path.Combine(directory, "arable-land-protection.v3.json"), v3.ToJsonString());
        return new() { ["Rules:Directory"] = directory };
    }

    [Fact]
    public async Task Host_RefusesToStart_WhenTheAmountWouldPublishTheBirthDateFromTheIdNumber()
    {
        var settings = RulesWithV3(v3 => v3["amount"]!["expression"] = "decimal.Parse(IdNumber.Substring(6, 8))");

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => OneCardApp.StartAsync(settings: settings));

        Assert.Contains("amount.expression", refused.ToString(), StringComparison.Ordinal);
        Assert.Contains("IdNumber", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_RefusesToStart_WhenARuleNestsLambdasOverAStringFact()
    {
        var settings = RulesWithV3(v3 => v3["eligibility"]!.AsArray().Add(new JsonObject
        {
            ["name"] = "Runaway",
            ["expression"] = "IdNumber.Any(a => IdNumber.Any(b => a == b))",
            ["messageZh"] = "不会通过加载",
            ["messageEn"] = "never loads",
        }));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => OneCardApp.StartAsync(settings: settings));

        Assert.Contains("eligibility[4].expression", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_StartsOnTheShippedRulesCopiedElsewhere_SoTheRefusalsAboveAreAboutTheirEdits()
    {
        var settings = RulesWithV3(_ => { });

        await using var app = await OneCardApp.StartAsync(settings: settings);
        var submitted = await new CaseDriver(app).SubmitAsync();

        Assert.NotEqual(Guid.Empty, submitted);
    }
}
