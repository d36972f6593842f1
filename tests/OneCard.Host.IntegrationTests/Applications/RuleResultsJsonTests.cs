using System.Text.Encodings.Web;
using System.Text.Json;
using OneCard.Host.Applications;
using OneCard.Rules.Evaluation;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>A line's rule results written once per distinct list, and always as the serializer writes them.</summary>
public sealed class RuleResultsJsonTests
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void EqualResults_ShareOneString_AsTheSerializerWritesIt()
    {
        var writer = new RuleResultsJson(Options);
        var first = writer.Write(Results(passed: false, message: "承包面积须大于0"));
        var second = writer.Write(Results(passed: false, message: "承包面积须大于0"));

        Assert.Same(first, second);
        Assert.Equal(JsonSerializer.Serialize<IReadOnlyList<RuleOutcome>>(Results(passed: false, message: "承包面积须大于0"), Options), first);
        Assert.Contains("承包面积须大于0", first, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultsThatDifferOnlyInAMessageOrFault_AreWrittenApart()
    {
        var writer = new RuleResultsJson(Options);
        // Same names and outcomes (the same hash): told apart by the messages and the fault.
        var a = writer.Write(Results(passed: false, message: "甲"));
        var b = writer.Write(Results(passed: false, message: "乙"));
        var c = writer.Write([new RuleOutcome("area", false, "", "", "事实缺失 / fact missing"), new RuleOutcome("resident", true, "", "", null)]);
        var d = writer.Write([new RuleOutcome("area", false, "", "", "事实类型不符 / fact mistyped"), new RuleOutcome("resident", true, "", "", null)]);

        Assert.Contains("甲", a, StringComparison.Ordinal);
        Assert.Contains("乙", b, StringComparison.Ordinal);
        Assert.Contains("事实缺失", c, StringComparison.Ordinal);
        Assert.Contains("事实类型不符", d, StringComparison.Ordinal);
        Assert.Equal(4, new[] { a, b, c, d }.Distinct().Count());
    }

    [Fact]
    public void BeyondTheListsItKeeps_ItStillWritesEachCorrectly()
    {
        var writer = new RuleResultsJson(Options);
        for (var i = 0; i < RuleResultsJson.MaxKept + 50; i++)
        {
            var rules = Results(passed: false, message: $"第{i}条");
            Assert.Equal(JsonSerializer.Serialize(rules, Options), writer.Write(rules));
        }
        Assert.Equal(JsonSerializer.Serialize(Results(passed: false, message: "第3条"), Options), writer.Write(Results(passed: false, message: "第3条")));
    }

    private static IReadOnlyList<RuleOutcome> Results(bool passed, string message) =>
    [
        new RuleOutcome("area", passed, passed ? "" : message, passed ? "" : "Area must be positive", null),
        new RuleOutcome("resident", true, "", "", null),
    ];
}
