using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OneCard.Host.RuleSets;
using OneCard.Rules.RuleSets;
using OneCard.Testing;
using static OneCard.Host.IntegrationTests.RuleSets.RuleSetFixture;
using static OneCard.Host.RuleSets.RuleSetForm;

namespace OneCard.Host.IntegrationTests.RuleSets;

/// <summary>
/// Issue 7, item 5, the named-helper builders of the rule set form: computed facts by helper (age at a date, months between,
/// region prefix, year), the tier amount (分档金额, a match: floor lookup), the standard by region and year (a two-key grid),
/// xlsx import of tiers and grids with located errors, and example lines edited per fact. Each builder writes what the
/// loader accepts and reads back into the same builder; a shape no builder writes stays raw.
/// </summary>
[UseCulture("zh-CN")]
public sealed class RuleSetBuildersTests
{
    private static string Shipped(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", file));

    private const string Elderly = "elderly-longevity-allowance.v1.json";
    private const string CornSoybean = "corn-soybean-producer.v1.json";

    [Fact]
    public void Elderly_OpensWithItsAgeHelper_TierBuilder_AndCityByTierAmounts()
    {
        var form = RuleSetForm.Read(Shipped(Elderly));

        var age = form.Fact("Age")!;
        Assert.Equal((ComputeKind.Age, "IdNumber", "AsOf", true), (age.ComputeKind, age.ComputeFact, age.ComputeFact2, age.ComputeGuard));
        var city = form.Fact("City")!;
        Assert.Equal((ComputeKind.RegionPrefix, "RegionCode", "4"), (city.ComputeKind, city.ComputeFact, city.ComputeValue));
        var tier = Assert.Single(form.Tiers());
        Assert.Equal(("AgeTier", "age.tiers", "Age"), (tier.Fact.Name, tier.Table.Name, tier.KeyFact));
        Assert.Equal([("0", "0"), ("80", "80"), ("90", "90"), ("100", "100")], tier.Rows.Select(r => (r.Key, r.Value)));
        Assert.Equal("Age ≥ 0 → 0；Age ≥ 80 → 80；Age ≥ 90 → 90；Age ≥ 100 → 100", tier.Describe());
        var amounts = form.TierAmounts(tier)!;
        Assert.Equal(("standards.byCityAndTier", "City", "AgeTier"), (amounts.Table.Name, amounts.RowFact, amounts.ColumnFact));
        Assert.Equal(["2101", "2102"], amounts.RowKeys);
        Assert.Equal(["0", "80", "90", "100"], amounts.ColumnKeys);
        Assert.Equal(("200", "", "800"), (amounts.Cell("2101", "90"), amounts.Cell("2102", "80"), amounts.Cell("2101", "100")));
        // The examples are fields per fact, read as written.
        Assert.Equal(["IdNumber", "RegionCode", "AsOf", "InMinimumLivingHousehold"], form.SuppliedFacts.Select(f => f.Name));
        Assert.Equal(("210114194103151233", "是", "2026-06-30"), (form.Examples[0].Value("IdNumber"), form.Examples[0].Value("InMinimumLivingHousehold"), form.Examples[0].Value("AsOf")));
        Assert.Equal(("Faulted", "TableEntryMissing"), (form.Examples[^1].Outcome, form.Examples[^1].FaultCode));
    }

    [Fact]
    public void Elderly_TierAmountChangedInTheGrid_WritesTheLookup_ExamplesLocateTheMismatch_AndAFieldTypedExampleRuns()
    {
        var form = RuleSetForm.Read(Shipped(Elderly));
        var amounts = form.TierAmounts(form.Tiers().Single())!;

        amounts.SetCell("2101", "90", "220");
        var added = new ExampleRow { Name = "沈阳九十八岁（2025 年）按新标准", Outcome = "Eligible", Amount = "220" };
        added.SetValue("IdNumber", "210114192701011231");
        added.SetValue("RegionCode", "210114001");
        added.SetValue("AsOf", "2025-06-30");
        added.SetValue("InMinimumLivingHousehold", "否");
        form.Examples.Add(added);
        var json = form.ToJson();

        var written = JsonNode.Parse(json)!;
        Assert.Equal(220, written["tables"]!["standards.byCityAndTier"]!["2101|90"]!.GetValue<int>());
        var facts = written["examples"]![14]!["facts"]!.AsObject();
        Assert.Equal(["IdNumber", "RegionCode", "AsOf", "InMinimumLivingHousehold"], facts.Select(p => p.Key));
        Assert.Equal(["210114192701011231", "210114001", "2025-06-30", "否"], facts.Select(p => p.Value!.GetValue<string>()));
        var loaded = RuleSetLoader.Load(json, "builders");
        Assert.Equal(220m, loaded.Tables["standards.byCityAndTier"]["2101|90"]);
        // The examples that still expect 200 fail at their amount, in Chinese; the new line (typed per fact) passes.
        var problems = RuleSetExamples.Problems(loaded);
        Assert.Equal(["examples[3].expect.amount", "examples[4].expect.amount"], problems.Select(p => p.Path));
        Assert.All(problems, p => Assert.Contains("期望 200.00，实为 220.00", p.MessageZh, StringComparison.Ordinal));

        form.Examples[3].Amount = "220";
        form.Examples[4].Amount = "220.00";
        Assert.Empty(RuleSetExamples.Problems(RuleSetLoader.Load(form.ToJson(), "builders")));

        // Read back, the grid and the example fields show what was written.
        var again = RuleSetForm.Read(form.ToJson());
        Assert.Equal("220", again.TierAmounts(again.Tiers().Single())!.Cell("2101", "90"));
        Assert.Equal("2025-06-30", again.Examples[14].Value("AsOf"));
    }

    [Fact]
    public void Elderly_AMalformedTierTable_IsRefusedAtTheTierRow()
    {
        var form = RuleSetForm.Read(Shipped(Elderly));
        var tier = form.Tiers().Single();
        tier.Rows.Single(r => r.Key == "80").Key = "八十";
        tier.Add("90", "90"); // a second tier at 90

        var refused = Assert.Throws<RuleSetException>(() => RuleSetLoader.Load(form.ToJson(), "builders"));

        Assert.Contains(refused.Errors, e => e.Path == "tables['age.tiers']['八十']" && e.MessageZh.Contains("分档表的键必须是数字", StringComparison.Ordinal));
        // A second tier at 90 cannot be written to JSON (one key each): the form locates it before the save writes anything.
        var problem = Assert.Single(form.Problems());
        Assert.Equal(("tables['age.tiers']['90']", "档位下限 90 重复（第 3、5 档），每个下限只能有一档"), (problem.Path, problem.Message));
        tier.Rows.RemoveAt(4);
        Assert.Empty(form.Problems());
    }

    [Fact]
    public void CornSoybean_OpensAsCityByYearGrids_AndAnAddedYearColumnLoads()
    {
        var form = RuleSetForm.Read(Shipped(CornSoybean));
        Assert.Equal((ComputeKind.YearOf, "AsOf"), (form.Fact("Year")!.ComputeKind, form.Fact("Year")!.ComputeFact));
        var corn = form.GridFor(form.Tables.Single(t => t.Name == "rates.corn"))!;
        Assert.Equal(("City", "Year"), (corn.RowFact, corn.ColumnFact));
        Assert.Equal("74.1", corn.Cell("2105", "2023"));

        Assert.Null(corn.AddColumn("2024"));
        Assert.Equal("Year = 2024 已在表中", corn.AddColumn("2024"));
        corn.SetCell("2105", "2024", "75.5");
        var loaded = RuleSetLoader.Load(form.ToJson(), "builders");

        Assert.Equal(75.5m, loaded.Tables["rates.corn"]["2105|2024"]);
        Assert.Equal(["2023", "2024"], RuleSetForm.Read(form.ToJson()).GridFor(form.Tables.Single(t => t.Name == "rates.corn"))!.ColumnKeys);
        corn.SetCell("2105", "2024", "");
        Assert.False(RuleSetLoader.Load(form.ToJson(), "builders").Tables["rates.corn"].ContainsKey("2105|2024"));
    }

    [Fact]
    public void AddTier_BuildsAFloorLookupTheAmountReads_AndReadsBackIntoTheTierBuilder()
    {
        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        form.Amount.Expression = "";

        var (tier, error) = form.AddTier("BonusPerLine", "AreaMu", "面积档奖励");
        Assert.Null(error);
        tier!.Rows[0].Value = "0";
        tier.Add("50", "200");
        tier.Add("10", "50.5");
        tier.Sort();
        var json = form.ToJson();

        Assert.Equal("BonusPerLine", form.Amount.Expression);
        var loaded = RuleSetLoader.Load(json, "builders");
        var fact = loaded.Facts.Single(f => f.Name == "BonusPerLine");
        Assert.Equal((Rules.RuleSets.LookupMatch.Floor, "tiers.BonusPerLine"), (fact.Match, fact.Table));
        Assert.Equal(50.5m, loaded.Tables["tiers.BonusPerLine"]["10"]);
        var again = RuleSetForm.Read(json).Tiers().Single();
        Assert.Equal([("0", "0"), ("10", "50.5"), ("50", "200")], again.Rows.Select(r => (r.Key, r.Value)));
        Assert.Equal("AreaMu", again.KeyFact);

        Assert.Equal("事实名 BonusPerLine 已存在", form.AddTier("BonusPerLine", "AreaMu", "").Error);
        Assert.Equal("分档依据 RegionCode 是 string，须是 int 或 decimal 事实", form.AddTier("Other", "RegionCode", "").Error);
        Assert.StartsWith("分档依据“Nope”不是已声明的事实（已声明：IdNumber、RegionCode", form.AddTier("Other", "Nope", "").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRegionYearStandard_AddsCountyAndYearFacts_AndAGridTheAmountUses_ThenAFieldExampleProvesIt()
    {
        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        var (grid, error) = form.AddRegionYearStandard("CountyYearRate", 6, "AsOf", "县年度标准");
        Assert.Null(error);
        Assert.Null(grid!.AddRow("210124"));
        Assert.Null(grid.AddColumn("2025"));
        grid.SetCell("210124", "2025", "90.1");
        form.Amount.Expression = "AreaMu * CountyYearRate";
        var example = new ExampleRow { Name = "法库县 2025 年 10 亩", Outcome = "Eligible", Amount = "901.00" };
        foreach (var (fact, value) in new[] { ("IdNumber", "210114194103151233"), ("RegionCode", "210124001"), ("AreaMu", "10"), ("LandConverted", "否"), ("AsOf", "2025-06-30") })
            example.SetValue(fact, value);
        form.Examples.Add(example);
        var json = form.ToJson();

        Assert.Equal("Fn.County(RegionCode)", form.Fact("County")!.Compute);
        Assert.Equal("AsOf.Year", form.Fact("Year")!.Compute);
        Assert.Equal(10, JsonNode.Parse(json)!["examples"]!.AsArray()[^1]!["facts"]!["AreaMu"]!.GetValue<int>()); // a number fact is written as a number
        var loaded = RuleSetLoader.Load(json, "builders");
        Assert.Equal(["County", "Year"], loaded.Facts.Single(f => f.Name == "CountyYearRate").KeyFacts);
        var result = Assert.Single(RuleSetExamples.Run(loaded));
        Assert.True(result.Passed, string.Join("；", result.Mismatches));
        var again = RuleSetForm.Read(json);
        Assert.Equal((ComputeKind.RegionPrefix, "6"), (again.Fact("County")!.ComputeKind, again.Fact("County")!.ComputeValue));
        Assert.Equal("90.1", again.GridFor(again.Tables.Single(t => t.Name == "standards.CountyYearRate"))!.Cell("210124", "2025"));

        Assert.Equal("事实名 CountyYearRate 已存在", form.AddRegionYearStandard("CountyYearRate", 6, "AsOf", "").Error);
        var clash = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        var county = new FactRow { Name = "County", Type = "string" };
        county.Compute = "RegionCode.Substring(0, 4)";
        clash.Facts.Add(county);
        Assert.Equal("已有事实 County，但它不是“Fn.County(RegionCode)”，请改名或删除后再添加", clash.AddRegionYearStandard("Other", 6, "AsOf", "").Error);
        Assert.Equal(7, clash.Facts.Count); // the six shipped facts and the clashing County: nothing added
    }

    [Fact]
    public void ExampleFields_AValueUnderANameThatIsNoSuppliedFact_StaysVisible_AndTheLoaderNamesTheSuppliedOnes()
    {
        var form = RuleSetForm.Read(Shipped(Elderly));
        form.Examples[0].SetValue("Age", "85"); // computed: cannot be given
        form.Examples[0].SetValue("Income", "100"); // not declared

        Assert.Equal(["Age", "Income"], form.OtherValues(form.Examples[0]));
        var refused = Assert.Throws<RuleSetException>(() => RuleSetLoader.Load(form.ToJson(), "examples"));
        Assert.Contains(refused.Errors, e => e.Path == "examples[0].facts.Age" && e.MessageZh == "Age 由计算得出，示例中不能提供");
        Assert.Contains(refused.Errors, e => e.Path == "examples[0].facts.Income"
            && e.MessageZh == "Income 不是已声明的事实（可提供的事实：IdNumber、RegionCode、AsOf、InMinimumLivingHousehold）");

        form.Examples[0].SetValue("Age", "");
        form.Examples[0].SetValue("Income", " ");
        Assert.Empty(form.OtherValues(form.Examples[0]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Shipped(Elderly)), JsonNode.Parse(form.ToJson())));
    }

    public static TheoryData<ComputeKind, string, string, string, bool, string, string> HelperCases() => new()
    {
        { ComputeKind.Age, "IdNumber", "AsOf", "", false, "Fn.Age(IdNumber, AsOf)", "int" },
        { ComputeKind.Age, "IdNumber", "AsOf", "", true, "Fn.IsValidIdNumber(IdNumber, AsOf) ? Fn.Age(IdNumber, AsOf) : 0", "int" },
        { ComputeKind.MonthsBetween, "AsOf", "AsOf", "", false, "Fn.MonthsBetween(AsOf, AsOf)", "int" },
        { ComputeKind.InRegion, "RegionCode", "", "2101", false, "Fn.InRegion(RegionCode, \"2101\")", "bool" },
        { ComputeKind.RegionPrefix, "RegionCode", "", "4", false, "RegionCode.Substring(0, 4)", "string" },
        { ComputeKind.RegionPrefix, "RegionCode", "", "6", false, "Fn.County(RegionCode)", "string" },
        { ComputeKind.YearOf, "AsOf", "", "", false, "AsOf.Year", "int" },
    };

    [Theory]
    [MemberData(nameof(HelperCases))]
    public void ComputedFactHelper_WritesAnExpressionTheGateAccepts_AndReadsBackIntoTheSameHelper(
        ComputeKind kind, string fact, string fact2, string value, bool guard, string expected, string type)
    {
        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        var row = new FactRow { Name = "Helped" };
        form.Facts.Add(row);
        form.UseHelper(row, kind);
        (row.ComputeFact, row.ComputeFact2, row.ComputeValue, row.ComputeGuard) = (fact, fact2, value, guard);

        var json = form.ToJson();

        Assert.Equal((expected, type), (row.Compute, row.Type));
        var loaded = RuleSetLoader.Load(json, "helper"); // the loader runs the expression gate on every computed fact
        Assert.Equal(expected, loaded.Facts.Single(f => f.Name == "Helped").Compute);
        var again = RuleSetForm.Read(json).Fact("Helped")!;
        Assert.Equal((kind, fact, expected), (again.ComputeKind, again.ComputeFact, again.Compute));
    }

    [Fact]
    public void ComputedFactHelper_FallsBackToRaw_ForShapesNoHelperWrites_AndATypedPrefixStaysAString()
    {
        var living = RuleSetForm.Read(Shipped("minimum-living-allowance.v1.json"));
        Assert.Equal(ComputeKind.Raw, living.Fact("StandardYear")!.ComputeKind);
        Assert.Equal("AsOf.AddMonths(-6).Year", living.Fact("StandardYear")!.Compute);
        Assert.Equal(ComputeKind.Raw, living.Fact("Area")!.ComputeKind);
        Assert.Equal(ComputeKind.RegionPrefix, living.Fact("County")!.ComputeKind);

        var form = RuleSetForm.Read(File.ReadAllText(ShippedPath(2)));
        var row = new FactRow { Name = "Sneaky" };
        form.Facts.Add(row);
        form.UseHelper(row, ComputeKind.InRegion);
        row.ComputeValue = "21\") || IdNumber.GetType() != null || (\"";
        Assert.Equal("Fn.InRegion(RegionCode, \"21\\\") || IdNumber.GetType() != null || (\\\"\")", row.Compute);
        row.ComputeFact = "RegionCode.GetType()";
        Assert.StartsWith("Fn.InRegion(\"RegionCode.GetType()\", ", row.Compute, StringComparison.Ordinal);
        // Both typed texts are string literals: the gate accepts a call of Fn.InRegion on two strings, and nothing else runs.
        Assert.Equal(row.Compute, RuleSetLoader.Load(form.ToJson(), "helper").Facts.Single(f => f.Name == "Sneaky").Compute);

        row.ToRawCompute();
        Assert.Equal(ComputeKind.Raw, row.ComputeKind);
        Assert.StartsWith("Fn.InRegion(\"RegionCode.GetType()\"", row.Compute, StringComparison.Ordinal);
    }

    [Fact]
    public void TierXlsx_ReadsBoundsAndAmounts_AndLocatesEachBadRowAndColumn()
    {
        using var good = Sheet([["下限", "金额"], [80, 100], [90, 200.5], [100, 800]]);
        var (rows, errors) = ReadTiersXlsx(good, "decimal");
        Assert.Empty(errors);
        Assert.Equal([("80", "100"), ("90", "200.5"), ("100", "800")], rows.Select(r => (r.Key, r.Value)));

        using var bad = Sheet([["下限", "金额"], ["八十", 100], [90, "二百"], [90, 300], [null, 5], [100, null, "备注"]]);
        var (none, located) = ReadTiersXlsx(bad, "decimal");
        Assert.Empty(none);
        Assert.Equal([
            "第 2 行 A 列（下限）：“八十”不是数字（档位下限，如 80）",
            "第 3 行 B 列（金额）：“二百”不是数字",
            "第 4 行 A 列（下限）：90 与第 3 行重复",
            "第 5 行 A 列（下限）：为空",
            "第 6 行：只能有两列（A 下限，B 金额），C 列及以后应为空",
            "第 6 行 B 列（金额）：为空",
        ], located);
    }

    [Fact]
    public void GridXlsx_ReadsRegionByYear_EmptyCellsAreNoEntry_AndLocatesBadCells()
    {
        using var good = Sheet([["县＼年度", 2024, 2025], ["210124", 85.35, 86], ["210102", null, 107.67]]);
        var (grid, errors) = ReadGridXlsx(good, "County", "Year", "decimal");
        Assert.Empty(errors);
        Assert.Equal(["210124", "210102"], grid!.Rows);
        Assert.Equal(["2024", "2025"], grid.Columns);
        Assert.Equal(["210102|2025", "210124|2024", "210124|2025"], grid.Cells.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("107.67", grid.Cells["210102|2025"]);
        Assert.False(grid.Cells.ContainsKey("210102|2024"));

        using var bad = Sheet([["县＼年度", 2024, 2024], ["210124", "八十五", null], [null, 1, null], ["210124", 2, null], ["210102", null, null, 9]]);
        var (none, located) = ReadGridXlsx(bad, "County", "Year", "decimal");
        Assert.Null(none);
        Assert.Equal([
            "第 1 行 C 列（Year）：2024 与 B 列重复",
            "第 2 行 B 列（210124 × 2024）：“八十五”不是数字",
            "第 3 行 A 列（County）：为空",
            "第 4 行 A 列（County）：210124 与第 2 行重复",
            "第 5 行 D 列：该列第 1 行没有 Year 的值，单元格“9”无处可放",
        ], located);

        var form = RuleSetForm.Read(Shipped(CornSoybean));
        var corn = form.GridFor(form.Tables.Single(t => t.Name == "rates.corn"))!;
        using var replacement = Sheet([["市＼年度", 2023, 2024], ["2105", 74.1, 76]]);
        var imported = ReadGridXlsx(replacement, corn.RowFact, corn.ColumnFact, corn.Fact.Type).Grid!;
        corn.Replace(imported.Rows, imported.Columns, imported.Cells);
        Assert.Equal(76m, RuleSetLoader.Load(form.ToJson(), "grid").Tables["rates.corn"]["2105|2024"]);
    }

    /// <summary>An xlsx sheet without a header row of names: each inner array is one row from column A.</summary>
    private static MemoryStream Sheet(object?[][] rows)
    {
        var width = rows.Max(r => r.Length);
        var table = new System.Data.DataTable();
        for (var c = 0; c < width; c++) table.Columns.Add(((char)('A' + c)).ToString(), typeof(object));
        foreach (var r in rows) table.Rows.Add([.. Enumerable.Range(0, width).Select(c => c < r.Length ? r[c] ?? DBNull.Value : DBNull.Value)]);
        var stream = new MemoryStream();
        MiniExcelLibs.MiniExcel.SaveAs(stream, table, printHeader: false, excelType: MiniExcelLibs.ExcelType.XLSX);
        stream.Position = 0;
        return stream;
    }
}

/// <summary>The 高龄津贴 tier change and a field-typed example saved through the drafts handler on PostgreSQL: the example
/// mismatch is refused at its place, the fixed form is stored.</summary>
public sealed class RuleSetBuildersSaveTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Save_OfAChangedTierAmount_IsRefusedAtTheExamplesThatExpectTheOldAmount_AndStoredOnceTheyAreFixed()
    {
        var form = RuleSetForm.Read(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "elderly-longevity-allowance.v1.json")));
        form.Version = "2";
        form.TierAmounts(form.Tiers().Single())!.SetCell("2101", "90", "220");
        var officer = await driver.As("policy");

        var refused = await PostAsync(officer, form.ToJson());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(["examples[3].expect.amount", "examples[4].expect.amount"], errors.Select(e => e.GetProperty("path").GetString()));
        Assert.Contains("期望 200.00，实为 220.00", errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        form.Examples[3].Amount = form.Examples[4].Amount = "220.00";
        var stored = await PostAsync(officer, form.ToJson());
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient officer, string json) =>
        officer.PostAsync("/api/rulesets/elderly-longevity-allowance/drafts?effectiveFrom=2026-03-10", new StringContent(json, Encoding.UTF8, "application/json"));
}
