using System.Text.Encodings.Web;
using System.Text.Json;
using OneCard.Host.Applications;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>A line's roster facts written without the serializer's dictionary copy, and always as the serializer writes them.</summary>
public sealed class FactsJsonTests
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What the line stored before: the serializer over the facts less the ones kept in columns.</summary>
    private static string Serialized(IReadOnlyDictionary<string, object?> facts) =>
        JsonSerializer.Serialize(facts.Where(f => f.Key is not ("IdNumber" or "RegionCode" or "AsOf")).ToDictionary(f => f.Key, f => f.Value), Options);

    public static TheoryData<string> Cases => ["roster", "quoting", "numbers", "fallback", "empty"];

    private static Dictionary<string, object?> Facts(string name) => name switch
    {
        "roster" => new()
        {
            ["IdNumber"] = "210102199001011237", ["RegionCode"] = "210102001", ["承包面积"] = 12.5m, ["HouseholdSize"] = 4,
            ["作物"] = "玉米", ["IsDisabled"] = false, ["AsOf"] = new DateOnly(2026, 12, 1), ["Remark"] = null,
        },
        "quoting" => new()
        {
            ["说明"] = "他说：\"领到了\"\n第二行\t<b>&'", ["Emoji"] = "稻田🌾", ["Control"] = "\u0001\u001f", ["Key \"quoted\""] = "x",
        },
        "numbers" => new()
        {
            ["Zero"] = 0m, ["Scaled"] = 1.10m, ["Big"] = 99_999_999_999_999.99m, ["Negative"] = -3, ["Long"] = long.MaxValue, ["Yes"] = true,
        },
        "fallback" => new()
        {
            ["Born"] = new DateOnly(1990, 1, 1), ["Tags"] = new[] { "甲", "乙" }, ["Ratio"] = 0.25, ["At"] = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        },
        _ => new() { ["IdNumber"] = "210102199001011237" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Write_IsWhatTheSerializerWritesForTheFactsOutsideColumns(string name)
    {
        var facts = Facts(name);
        using var writer = new FactsJson(Options);

        Assert.Equal(Serialized(facts), writer.Write(facts));
    }

    [Fact]
    public void OneWriter_WritesLineAfterLine_WithNothingCarriedOver()
    {
        using var writer = new FactsJson(Options);
        var long_ = Facts("quoting");
        var short_ = Facts("empty");

        Assert.Equal(Serialized(long_), writer.Write(long_));
        Assert.Equal("{}", writer.Write(short_));
        Assert.Equal(Serialized(Facts("roster")), writer.Write(Facts("roster")));
    }

    [Fact]
    public void ColumnsLeftOut_AreTheLinesOwnColumns()
    {
        Assert.True(FactsJson.IsOwnColumn("IdNumber"));
        Assert.True(FactsJson.IsOwnColumn("RegionCode"));
        Assert.True(FactsJson.IsOwnColumn("AsOf"));
        Assert.False(FactsJson.IsOwnColumn("承包面积"));
    }
}
