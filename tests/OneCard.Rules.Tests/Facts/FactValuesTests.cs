using System.Text.Json;
using OneCard.Rules.Facts;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.Facts;

/// <summary>The one fact parser and formatter, for every declared type.</summary>
public class FactValuesTests
{
    private static readonly FactDefinition Area = new("AreaMu", FactType.Decimal) { LabelZh = "承包面积（亩）", Minimum = 0, Maximum = 1000 };
    private static readonly FactDefinition Count = new("Members", FactType.Int) { LabelZh = "家庭人口" };
    private static readonly FactDefinition Flag = new("LandConverted", FactType.Bool) { LabelZh = "是否改变用途" };
    private static readonly FactDefinition Since = new("ResidentSince", FactType.Date) { LabelZh = "落户日期" };
    private static readonly FactDefinition Grade = new("DisabilityGrade", FactType.String) { LabelZh = "残疾等级", MaxLength = 2 };

    [Theory]
    [InlineData("12.5", 12.5)]
    [InlineData(" 150 ", 150)]
    [InlineData("１２．５", 12.5)] // full-width, as typed with a Chinese input method
    [InlineData("0", 0)]
    public void Parse_Decimal_AcceptsPlainNumbers(string raw, double expected) =>
        Assert.Equal((decimal)expected, FactValues.Parse(Area, raw).Value);

    [Theory]
    [InlineData("1,5", "FactAmbiguousNumber", "含千位分隔符或逗号")]
    [InlineData("1，500", "FactAmbiguousNumber", "含千位分隔符或逗号")]
    [InlineData("十二", "FactNotNumber", "不是有效数字")]
    [InlineData("1e3", "FactNotNumber", "不是有效数字")]
    [InlineData("-1", "FactBelowMinimum", "承包面积（亩）不能小于0")]
    [InlineData("1000.01", "FactAboveMaximum", "承包面积（亩）不能大于1000")]
    [InlineData("", "FactMissing", "承包面积（亩）不能为空")]
    [InlineData(null, "FactMissing", "承包面积（亩）不能为空")]
    public void Parse_Decimal_RefusesWithCodeAndLabelledChineseReason(string? raw, string code, string zh)
    {
        var result = FactValues.Parse(Area, raw);

        Assert.False(result.IsValid);
        Assert.Null(result.Value);
        Assert.Equal(code, result.Code);
        Assert.Contains(zh, result.MessageZh);
        Assert.NotNull(result.MessageEn);
    }

    [Fact]
    public void Parse_Decimal_RefusesWhatCannotBeStored() =>
        Assert.Equal(FactValueCodes.FactOutOfRange, FactValues.Parse(new FactDefinition("X", FactType.Decimal), "1000000000000").Code);

    [Theory]
    [InlineData("4", 4)]
    [InlineData("-2", -2)]
    public void Parse_Int_GivesAnInt(string raw, int expected)
    {
        var value = FactValues.Parse(Count, raw).Value;

        Assert.IsType<int>(value);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("4.5", "不是有效整数")]
    [InlineData("2147483647", "超出可处理的范围")]
    public void Parse_Int_RefusesFractionsAndOverflow(string raw, string zh) =>
        Assert.Contains(zh, FactValues.Parse(Count, raw).MessageZh);

    [Theory]
    [InlineData("是", true)]
    [InlineData("否", false)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("Y", true)]
    [InlineData("n", false)]
    public void Parse_Bool_AcceptsYesNoForms(string raw, bool expected) =>
        Assert.Equal(expected, FactValues.Parse(Flag, raw).Value);

    [Fact]
    public void Parse_Bool_RefusesAnythingElse()
    {
        var result = FactValues.Parse(Flag, "有");

        Assert.Equal(FactValueCodes.FactNotYesNo, result.Code);
        Assert.Equal("是否改变用途应填“是”或“否”，实为“有”", result.MessageZh);
    }

    [Theory]
    [InlineData("2026-06-30")]
    [InlineData("2026/6/30")]
    [InlineData("2026/06/30")]
    [InlineData("20260630")]
    [InlineData("2026-6-30")]
    [InlineData("46203")] // Excel serial of 2026-06-30
    [InlineData("２０２６－０６－３０")]
    public void Parse_Date_AcceptsTheDocumentedForms(string raw) =>
        Assert.Equal(new DateOnly(2026, 6, 30), FactValues.Parse(Since, raw).Value);

    [Theory]
    [InlineData("2026年6月30日")]
    [InlineData("2026-02-30")]
    [InlineData("30/06/2026")]
    [InlineData("60")] // Excel's phantom 1900-02-29 and before are refused
    [InlineData("123456")]
    public void Parse_Date_RefusesOtherText(string raw)
    {
        var result = FactValues.Parse(Since, raw);

        Assert.Equal(FactValueCodes.FactNotDate, result.Code);
        Assert.Contains("落户日期", result.MessageZh);
        Assert.Contains("不是有效日期", result.MessageZh);
    }

    [Fact]
    public void Parse_String_TrimsAndCapsAtMaxLength()
    {
        Assert.Equal("1", FactValues.Parse(Grade, " 1 ").Value);

        var tooLong = FactValues.Parse(Grade, "一级残疾");
        Assert.Equal(FactValueCodes.FactTooLong, tooLong.Code);
        Assert.Equal("残疾等级超过2个字符（实为4个）", tooLong.MessageZh);
    }

    [Fact]
    public void Parse_EchoesAtMost24Characters_AndNoControlCharacters()
    {
        var result = FactValues.Parse(Flag, new string('x', 30));

        Assert.Contains(new string('x', 24) + "…", result.MessageZh);
        Assert.DoesNotContain(new string('x', 25), result.MessageZh);
    }

    [Fact]
    public void Format_GivesTheDisplayTextOfEveryType()
    {
        Assert.Equal("是", FactValues.Format(Flag, true));
        Assert.Equal("否", FactValues.Format(Flag, false));
        Assert.Equal("2026-06-30", FactValues.Format(Since, new DateOnly(2026, 6, 30)));
        Assert.Equal("12.50", FactValues.Format(Area, 12.50m));
        Assert.Equal("4", FactValues.Format(Count, 4));
        Assert.Equal("1", FactValues.Format(Grade, "1"));
        Assert.Equal("", FactValues.Format(Grade, null));
    }

    [Fact]
    public void Format_ReadsStoredTextAndJson_ThroughTheParser()
    {
        using var json = JsonDocument.Parse("""{ "LandConverted": "否", "Flag": true, "Since": "2026-06-30", "Area": 12.5, "Odd": "什么" }""");
        var root = json.RootElement;

        Assert.Equal("否", FactValues.Format(Flag, root.GetProperty("LandConverted")));
        Assert.Equal("是", FactValues.Format(Flag, root.GetProperty("Flag")));
        Assert.Equal("是", FactValues.Format(Flag, "1"));
        Assert.Equal("2026-06-30", FactValues.Format(Since, root.GetProperty("Since")));
        Assert.Equal("2026-06-30", FactValues.Format(Since, "20260630"));
        Assert.Equal("12.5", FactValues.Format(Area, root.GetProperty("Area")));
        Assert.Equal("什么", FactValues.Format(Flag, root.GetProperty("Odd"))); // shown as stored when it does not parse
    }

    [Fact]
    public void ParseThenFormat_RoundTripsForEveryType()
    {
        foreach (var (fact, raw) in new[] { (Area, "12.5"), (Count, "4"), (Flag, "是"), (Since, "2026-06-30"), (Grade, "1") })
        {
            var parsed = FactValues.Parse(fact, raw);
            Assert.Equal(raw, FactValues.Format(fact, parsed.Value));
            Assert.Equal(parsed.Value, FactValues.Parse(fact, FactValues.Format(fact, parsed.Value)).Value);
        }
    }

    [Fact]
    public void Label_IsTheChineseLabel_ElseTheName()
    {
        Assert.Equal("承包面积（亩）", FactValues.Label(Area));
        Assert.Equal("X", FactValues.Label(new FactDefinition("X", FactType.Int)));
    }

    [Fact]
    public void Binder_AcceptsWhatParseProduces_ForEverySuppliedFactOfTheShippedRuleSet()
    {
        var ruleSet = TestData.ArableLand;
        var raw = new Dictionary<string, string>
        {
            ["IdNumber"] = TestData.ValidId(), ["RegionCode"] = "210114001", ["AreaMu"] = "12.5", ["LandConverted"] = "否", ["AsOf"] = "2026/3/1",
        };
        var facts = ruleSet.Facts.Where(f => f.IsSupplied).ToDictionary(f => f.Name, f => FactValues.Parse(f, raw[f.Name]).Value);

        var evaluator = new OneCard.Rules.Evaluation.RuleEvaluator(new() { TimeBudgetPerLine = TimeSpan.FromSeconds(30) });
        var engine = evaluator.Evaluate(ruleSet, facts);
        var compiled = Assert.Single(evaluator.EvaluateMany(ruleSet, [facts]));

        Assert.Equal(1122.88m, engine.Amount);
        Assert.Equal(1122.88m, compiled.Amount);
    }
}
