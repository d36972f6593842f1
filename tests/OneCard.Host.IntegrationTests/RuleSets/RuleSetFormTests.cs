using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Host.RuleSets;
using OneCard.Persistence;
using OneCard.Rules.RuleSets;
using OneCard.Testing;
using static OneCard.Host.IntegrationTests.RuleSets.RuleSetFixture;
using static OneCard.Host.RuleSets.RuleSetForm;

namespace OneCard.Host.IntegrationTests.RuleSets;

/// <summary>
/// Issue 7, item 5: a rule set edited in forms. The form reads every shipped rule set and writes it back unchanged; the rule
/// builder writes expressions the gate accepts for each operator and helper; whatever is typed, the save goes through the
/// drafts handler, which refuses a hostile expression at its place.
/// </summary>
[UseCulture("zh-CN")]
public sealed class RuleSetFormTests
{
    private static string RulesDirectory => Path.Combine(AppContext.BaseDirectory, "rules");

    public static TheoryData<string> ShippedFiles() => [.. Directory.GetFiles(RulesDirectory, "*.json").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Form_ReadsEachShippedRuleSet_AndWritesTheSameJsonTree(string file)
    {
        var json = File.ReadAllText(Path.Combine(RulesDirectory, file));

        var written = RuleSetForm.Read(json).ToJson();

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)), $"{file} changed on the round trip:\n{written}");
        // And the written text loads as the same rule set (same facts, rules, tables).
        var (before, after) = (RuleSetLoader.Load(json, file), RuleSetLoader.Load(written, file));
        Assert.Equal(before.Eligibility.Select(r => r.Expression), after.Eligibility.Select(r => r.Expression));
    }

    [Fact]
    public void Form_ShowsTheShippedSimpleRulesInTheBuilder_AndKeepsTheRestRaw()
    {
        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));

        Assert.Equal([RuleKind.Raw, RuleKind.Compare, RuleKind.Compare, RuleKind.Compare], form.Rules.Select(r => r.Kind));
        Assert.Equal(("RegionCode", StartsWith, "21"), (form.Rules[1].Fact, form.Rules[1].Operator, form.Rules[1].Value));
        Assert.Equal(("AreaMu", ">", "0"), (form.Rules[2].Fact, form.Rules[2].Operator, form.Rules[2].Value));
        Assert.Equal(("LandConverted", IsFalse), (form.Rules[3].Fact, form.Rules[3].Operator));
        Assert.Equal("Fn.IsValidIdNumber(IdNumber, AsOf)", form.Rules[0].Raw);
        var faku = Assert.Single(Assert.Single(form.Tables).Rows, r => r.Key == "210124");
        Assert.Equal("85.35", faku.Value);
    }

    public static TheoryData<RuleKind, string, string, string, string, string> BuilderCases() => new()
    {
        { RuleKind.Compare, "AreaMu", "", "==", "10", "AreaMu == 10" },
        { RuleKind.Compare, "AreaMu", "", "!=", "10", "AreaMu != 10" },
        { RuleKind.Compare, "AreaMu", "", ">", "0.5", "AreaMu > 0.5" },
        { RuleKind.Compare, "AreaMu", "", ">=", "1", "AreaMu >= 1" },
        { RuleKind.Compare, "AreaMu", "", "<", "1000", "AreaMu < 1000" },
        { RuleKind.Compare, "AreaMu", "", "<=", "999.5", "AreaMu <= 999.5" },
        { RuleKind.Compare, "RegionCode", "", "==", "210124", "RegionCode == \"210124\"" },
        { RuleKind.Compare, "RegionCode", "", "!=", "210102", "RegionCode != \"210102\"" },
        { RuleKind.Compare, "LandConverted", "", IsTrue, "", "LandConverted" },
        { RuleKind.Compare, "LandConverted", "", IsFalse, "", "!LandConverted" },
        { RuleKind.Compare, "RegionCode", "", StartsWith, "2101", "RegionCode.StartsWith(\"2101\")" },
        { RuleKind.Age, "IdNumber", "AsOf", ">=", "18", "Fn.Age(IdNumber, AsOf) >= 18" },
        { RuleKind.MonthsBetween, "AsOf", "AsOf", "<", "6", "Fn.MonthsBetween(AsOf, AsOf) < 6" },
        { RuleKind.InRegion, "RegionCode", "", "", "2101", "Fn.InRegion(RegionCode, \"2101\")" },
        { RuleKind.Compare, "RatePerMu", "", ">", "80", "RatePerMu > 80" }, // a table lookup fact
    };

    [Theory]
    [MemberData(nameof(BuilderCases))]
    public void Builder_WritesEachOperatorAndHelper_AsAnExpressionTheGateAccepts(RuleKind kind, string fact, string fact2, string op, string value, string expected)
    {
        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        var rule = new RuleRow { Name = "Built", MessageZh = "不符合", MessageEn = "Not met", Kind = kind, Fact = fact, Fact2 = fact2, Operator = op, Value = value };
        form.Rules.Add(rule);

        var json = form.ToJson();

        Assert.Equal(expected, rule.ExpressionFor(form.TypeOf(fact)));
        var loaded = RuleSetLoader.Load(json, "builder"); // the loader runs the expression gate on every rule
        Assert.Equal(expected, loaded.Eligibility[^1].Expression);
        // Read back, the builder shows the same parts.
        var again = RuleSetForm.Read(json).Rules[^1];
        Assert.Equal((kind, fact), (again.Kind, again.Fact));
    }

    [Fact]
    public void Builder_WritesATypedValueAsAQuotedString_NeverAsCode()
    {
        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        var rule = new RuleRow { Name = "Sneaky", MessageZh = "不符合", MessageEn = "Not met", Kind = RuleKind.Compare, Fact = "AreaMu", Operator = ">", Value = "0 || IdNumber.GetType() != null" };
        form.Rules.Add(rule);

        Assert.Equal("AreaMu > \"0 || IdNumber.GetType() != null\"", rule.ExpressionFor("decimal"));
        var refused = Assert.Throws<RuleSetException>(() => RuleSetLoader.Load(form.ToJson(), "builder"));
        Assert.Contains(refused.Errors, e => e.Path == "eligibility[4].expression");
    }

    [Fact]
    public void GridEdit_WritesTheNewRate_AndTextInANumberTableIsRefusedAtItsCell()
    {
        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        var faku = form.Tables[0].Rows.Single(r => r.Key == "210124");

        faku.Value = "90.5";
        Assert.Equal(90.5m, RuleSetLoader.Load(form.ToJson(), "grid").Tables["rates.byCounty"]["210124"]);

        faku.Value = "九十";
        var refused = Assert.Throws<RuleSetException>(() => RuleSetLoader.Load(form.ToJson(), "grid"));
        Assert.Contains(refused.Errors, e => e.Path == "tables['rates.byCounty']['210124']");
    }

    [Fact]
    public void XlsxImport_ReadsKeyValueRows_AndLocatesBadRowsByNumber()
    {
        using var good = Sheet(new[] { new { 键 = "210124", 值 = "88.5" }, new { 键 = "210102", 值 = "107.67" } });
        var (rows, errors) = ReadTableXlsx(good);
        Assert.Empty(errors);
        Assert.Equal([("210124", "88.5"), ("210102", "107.67")], rows.Select(r => (r.Key, r.Value)));

        using var bad = Sheet(new[] { new { 键 = "210124", 值 = "88.5" }, new { 键 = "", 值 = "1" }, new { 键 = "210124", 值 = "" } });
        var (none, located) = ReadTableXlsx(bad);
        Assert.Empty(none);
        Assert.Equal(["第 3 行：A 列（键）为空", "第 4 行：键“210124”重复", "第 4 行：B 列（值）为空"], located);
    }

    private static MemoryStream Sheet(object rows)
    {
        var stream = new MemoryStream();
        MiniExcelLibs.MiniExcel.SaveAs(stream, rows, excelType: MiniExcelLibs.ExcelType.XLSX);
        stream.Position = 0;
        return stream;
    }
}

/// <summary>The save of a form goes through the drafts handler on PostgreSQL: the gate refuses a hostile raw expression at its place.</summary>
public sealed class RuleSetFormSaveTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Save_OfAHostileRawExpressionTypedIntoTheForm_IsRefusedWithItsLocation_AndAFixedFormIsStored()
    {
        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        form.Version = "3";
        form.Rules[2].ToRaw(form.TypeOf(form.Rules[2].Fact));
        form.Rules[2].Raw = "AreaMu > 0 && System.IO.File.Exists(\"/etc/passwd\")";
        var officer = await driver.As("policy");

        var refused = await PostDraftAsync(officer, form.ToJson());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = Assert.Single((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        Assert.Equal("eligibility[2].expression", error.GetProperty("path").GetString());
        Assert.Equal(0, await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().RuleSets.CountAsync(r => r.PolicyCode == Arable && r.Version == 3)));

        form.Rules[2].Parse("AreaMu > 0", form.TypeOf);
        Assert.Equal(RuleKind.Compare, form.Rules[2].Kind);
        var stored = await PostDraftAsync(officer, form.ToJson());
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
    }
}
