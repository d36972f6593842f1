using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Policies;
using OneCard.Host.RuleSets;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>
/// 高龄津贴标准调整: the shipped 高龄津贴 rule set (rules/elderly-longevity-allowance.v1.json) changed in the form, its impact run
/// over last period's stored lines, approved by a second officer, and cases of 大孤家子镇's 民政 line before and after the date.
/// </summary>
[Binding]
public sealed class ElderlyAllowanceSteps(ScenarioState state, RuleSetFormDraft draft)
{
    private const string Policy = RuleSetFormDraft.Elderly;
    private const string Township = Host.Demo.DemoData.Township;   // 法库县 大孤家子镇: city 2101 (沈阳) in the standards table
    private const string County = Host.Demo.DemoData.County;

    private sealed record Person(int No, string Name, DateOnly Birth, bool LowIncome);

    private readonly List<Person> people = [];
    private readonly Dictionary<string, Guid> casesByPeriod = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> numbersByPeriod = new(StringComparer.Ordinal);
    private JsonElement lastSubmitted;
    private JsonElement impact;

    // ---- last period's roster ----------------------------------------------------------------------------------------

    [Given(@"^大孤家子镇民政经办人 (\S+) 于(\d+)年(\d+)月(\d+)日提交了(\S+)期高龄津贴申报，经 (\S+) 乡镇审核通过：$")]
    public async Task GivenPreviousPeriod(string clerk, int year, int month, int day, string period, string reviewer, Table roster)
    {
        state.AdvanceTo(Words.Beijing(year, month, day, 9, 0));
        var today = new DateOnly(year, month, day);
        foreach (var row in roster.Rows)
        {
            var person = new Person(int.Parse(row["序号"], CultureInfo.InvariantCulture), row["姓名"],
                DateOnly.ParseExact(row["出生日期"], "yyyy-MM-dd", CultureInfo.InvariantCulture), row["是否低保对象"] == "是");
            // The ages the feature states are the ones the rules compute from the ID number on the day of submission.
            Assert.Equal(int.Parse(row["年龄"], CultureInfo.InvariantCulture), AgeOn(person.Birth, today));
            Assert.Equal(people.Count + 1, person.No);
            people.Add(person);
        }
        await SubmitAsync(clerk, period);
        await state.PostOk(reviewer, $"/api/applications/{casesByPeriod[period]}/actions/Approve", new { comment = "乡镇审核通过" });
    }

    [Given(@"^该申报按高龄津贴第(\d+)版计算，第([\d、]+)条符合条件，合计([\d.]+)元$")]
    public async Task GivenDecided(int version, string eligibleLines, decimal total)
    {
        Assert.Equal($"{Policy}@{version}", lastSubmitted.GetProperty("ruleSet").GetString());
        Assert.Equal(total, lastSubmitted.GetProperty("payableAmount").GetDecimal());
        var detail = await state.GetJson("clerk.civil", $"/api/applications/{lastSubmitted.GetProperty("id").GetGuid()}");
        Assert.Equal(Words.LineNos(eligibleLines), detail.GetProperty("lines").EnumerateArray()
            .Where(l => l.GetProperty("outcome").GetString() == "Eligible").Select(l => l.GetProperty("lineNo").GetInt32()).Order().ToArray());
    }

    // ---- the change, written in the form -------------------------------------------------------------------------------

    [When(@"^政策管理员 (\S+) 在规则集表单中以第(\d+)版为底稿起草高龄津贴第(\d+)版，自(\d{4}-\d{2}-\d{2})起生效，标准年度改为(\d{4})，分档和标准表改为：$")]
    public async Task WhenDrafted(string officer, int from, int version, string effectiveFrom, string year, Table edits)
    {
        await draft.OpenAsync(officer, Policy, from);
        Assert.Equal(version, draft.Version);
        draft.EffectiveFrom = effectiveFrom;
        draft.Form.Year = year;
        foreach (var row in edits.Rows)
        {
            var table = draft.Form.Tables.Single(t => t.Name == row["表"]);
            var key = row["键"];
            var existing = table.Rows.SingleOrDefault(r => r.Key == key);
            // What the grid shows before the edit is what the feature says it was (empty: a new row).
            Assert.Equal(row["原值"], existing?.Value ?? "");
            if (existing is not null)
            {
                existing.Value = row["新值"];
                continue;
            }
            // A new row goes where the grid's order puts it: after the last key below it.
            var at = table.Rows.FindLastIndex(r => CompareKeys(r.Key, key) < 0) + 1;
            table.Rows.Insert(at, new RuleSetForm.TableRow { Key = key, Value = row["新值"] });
        }
    }

    [When(@"^在说明末尾写明""(.+)""$")]
    public void WhenNoted(string note) => draft.Form.Notes = draft.Form.Notes + note;

    [Then(@"^保存被拒绝，规则集自带的示例与新标准不符：$")]
    public void ThenExamplesRefused(Table expected)
    {
        Assert.Equal(422, draft.RefusedWith);
        Assert.Equal(expected.Rows.Select(r => r["位置"]).Order(StringComparer.Ordinal), draft.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        foreach (var row in expected.Rows)
        {
            var (_, message) = draft.Errors.Single(e => e.Path == row["位置"]);
            Assert.Contains(row["原因"], message, StringComparison.Ordinal);
        }
    }

    [When(@"^政策管理员 (\S+) 在表单中把这些示例改为新标准：$")]
    public void WhenExamplesFixed(string officer, Table examples)
    {
        Assert.Equal(officer, draft.Officer);
        foreach (var row in examples.Rows)
        {
            var example = draft.Form.Examples.Single(e => e.Name == row["原名称"]);
            example.Name = row["新名称"];
            example.Amount = row["期望金额"];
        }
    }

    [Then(@"^高龄津贴第(\d+)版为""([^""]+)""(?:，生效日期(\d{4}-\d{2}-\d{2}))?$")]
    public async Task ThenStatus(int version, string statusZh, string effectiveFrom)
    {
        var summary = (await state.GetJson("policy", $"/api/rulesets/{Policy}/{version}")).GetProperty("version");
        Assert.Equal(statusZh, summary.GetProperty("statusZh").GetString());
        if (!string.IsNullOrEmpty(effectiveFrom)) Assert.Equal(effectiveFrom, summary.GetProperty("effectiveFrom").GetString());
    }

    [Then(@"^高龄津贴第(\d+)版为""([^""]+)""，第(\d+)版为""([^""]+)""$")]
    public async Task ThenStatuses(int version, string statusZh, int other, string otherStatusZh)
    {
        await ThenStatus(version, statusZh, "");
        await ThenStatus(other, otherStatusZh, "");
    }

    // ---- the bench on last period's stored lines -----------------------------------------------------------------------

    [When(@"^政策管理员 (\S+) 在(\S+)期已存的申报明细上运行第(\d+)版的影响测算$")]
    public async Task WhenImpactRun(string officer, string period, int version) =>
        impact = (await state.PostOk(officer, $"/api/rulesets/{Policy}/{version}/impact", new { period }))!.Value;

    [Then(@"^测算共(\d+)条明细，变为符合(\d+)条，变为不符合(\d+)条，变为出错(\d+)条，金额增加(\d+)条，金额减少(\d+)条，未变(\d+)条$")]
    public void ThenImpactCounts(int lines, int becameEligible, int becameIneligible, int becameFaulted, int up, int down, int unchanged)
    {
        var counts = impact.GetProperty("counts");
        int Count(string name) => counts.GetProperty(name).GetInt32();
        Assert.Equal((lines, lines, 0), (Count("lines"), Count("compared"), Count("notComparable")));
        Assert.Equal((becameEligible, becameIneligible, becameFaulted, up, down, unchanged),
            (Count("becameEligible"), Count("becameIneligible"), Count("becameFaulted"), Count("amountUp"), Count("amountDown"), Count("unchanged")));
    }

    [Then(@"^金额变化的明细为：$")]
    public void ThenChangedLines(Table expected)
    {
        var changes = impact.GetProperty("changes");
        Assert.Equal(expected.RowCount, changes.GetProperty("total").GetInt32());
        var lines = changes.GetProperty("lines").EnumerateArray().OrderBy(l => l.GetProperty("lineNo").GetInt32()).ToList();
        Assert.Equal(expected.RowCount, lines.Count);
        var previous = numbersByPeriod[(string)impact.GetProperty("period").GetString()!];
        foreach (var (row, line) in expected.Rows.Zip(lines))
        {
            Assert.Equal(previous, line.GetProperty("applicationNumber").GetString());
            Assert.Equal(int.Parse(row["序号"], CultureInfo.InvariantCulture), line.GetProperty("lineNo").GetInt32());
            Assert.Equal(row["姓名"], line.GetProperty("name").GetString());
            Assert.Equal(Money(row["原金额"]), line.GetProperty("beforeAmount").GetDecimal());
            Assert.Equal(Money(row["新金额"]), line.GetProperty("afterAmount").GetDecimal());
            Assert.Equal(Money(row["变化"]), line.GetProperty("change").GetDecimal());
            Assert.Equal(Money(row["新金额"]) > Money(row["原金额"]) ? "AmountUp" : "AmountDown", line.GetProperty("kind").GetString());
        }
    }

    [Then(@"^测算合计调整前([\d.]+)元，调整后([\d.]+)元，变化(-?[\d.]+)元$")]
    public void ThenImpactTotals(decimal before, decimal after, decimal change)
    {
        Assert.Equal(before, impact.GetProperty("totalBefore").GetDecimal());
        Assert.Equal(after, impact.GetProperty("totalAfter").GetDecimal());
        Assert.Equal(change, impact.GetProperty("totalChange").GetDecimal());
        // By month: the one period run, with the same sums.
        var month = Assert.Single(impact.GetProperty("byMonth").EnumerateArray());
        Assert.Equal((before, after), (month.GetProperty("before").GetDecimal(), month.GetProperty("after").GetDecimal()));
    }

    [Then(@"^按县汇总为(\S+)（(\d{6})）(\d+)条，调整前([\d.]+)元，调整后([\d.]+)元$")]
    public void ThenByCounty(string name, string code, int lines, decimal before, decimal after)
    {
        var county = Assert.Single(impact.GetProperty("byCounty").EnumerateArray());
        Assert.Equal((code, name, lines), (county.GetProperty("key").GetString(), county.GetProperty("nameZh").GetString(), county.GetProperty("lines").GetInt32()));
        Assert.Equal((before, after), (county.GetProperty("before").GetDecimal(), county.GetProperty("after").GetDecimal()));
    }

    [Then(@"^政策管理员 (\S+) 审核时看到的影响测算就是这一次，合计变化(-?[\d.]+)元$")]
    public async Task ThenReviewerSeesTheRun(string reviewer, decimal change)
    {
        var seen = await state.GetJson(reviewer, $"/api/rulesets/{Policy}/{draft.Version}/impact");
        Assert.Equal(impact.GetProperty("id").GetGuid(), seen.GetProperty("id").GetGuid());
        Assert.Equal(change, seen.GetProperty("totalChange").GetDecimal());
        Assert.Equal(impact.GetProperty("sha256").GetString(), seen.GetProperty("sha256").GetString());
    }

    // ---- approval and the effective date -------------------------------------------------------------------------------

    [When(@"^政策管理员 (\S+) 提交高龄津贴第(\d+)版$")]
    public async Task WhenSubmitted(string officer, int version)
    {
        Assert.Equal(version, draft.Version);
        await state.PostOk(officer, $"/api/rulesets/{Policy}/{version}/submit", null);
    }

    [When(@"^时间来到(\d+)年(\d+)月(\d+)日(\d+):(\d+)，(\S+) 为同样(\d+)人提交(\S+)期高龄津贴申报$")]
    public async Task WhenLaterPeriod(int year, int month, int day, int hour, int minute, string clerk, int count, string period)
    {
        Assert.Equal(count, people.Count);
        await StoreCaughtUpAsync();
        state.AdvanceTo(Words.Beijing(year, month, day, hour, minute));
        await SubmitAsync(clerk, period);
    }

    [Then(@"^各期申报所用的版本和各条结果为：$")]
    public async Task ThenResultsByPeriod(Table expected)
    {
        foreach (var period in expected.Header.Skip(1))
        {
            var detail = await state.GetJson("clerk.civil", $"/api/applications/{casesByPeriod[period]}");
            var lines = detail.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("lineNo").GetInt32());
            foreach (var row in expected.Rows)
            {
                if (row["序号"] == "版本")
                {
                    var key = $"{Policy}@{row[period]}";
                    Assert.Equal(key, detail.GetProperty("ruleSetKey").GetString());
                    Assert.All(lines.Values, l => Assert.Equal(key, l.GetProperty("ruleSetKey").GetString()));
                    continue;
                }
                var line = lines[int.Parse(row["序号"], CultureInfo.InvariantCulture)];
                var cell = row[period];
                var outcome = decimal.TryParse(cell, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? "Eligible" : Words.Outcome(cell);
                Assert.True(outcome == line.GetProperty("outcome").GetString(), $"{period} 第{row["序号"]}条：期望 {cell}，实为 {line}");
                if (outcome == "Eligible") Assert.Equal(amount, line.GetProperty("amount").GetDecimal());
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------------

    private async Task SubmitAsync(string clerk, string period)
    {
        var random = new Random(20260302);
        var lines = people.Select(p => (object)new
        {
            name = p.Name,
            // The same person in every period: the same ID (female, even sequence number) and account.
            idNumber = Claims.Id($"{County}{p.Birth:yyyyMMdd}{p.No * 2:D3}"),
            regionCode = Township,
            bankAccount = Host.Demo.DemoData.MakeAccount(random),
            bankName = "中国邮政储蓄银行法库县支行",
            facts = new Dictionary<string, object> { ["InMinimumLivingHousehold"] = p.LowIncome ? "是" : "否" },
        }).ToArray();
        lastSubmitted = (await state.PostOk(clerk, "/api/applications", new { policyCode = Policy, period, lines }))!.Value;
        Assert.Equal(people.Count, lastSubmitted.GetProperty("lineCount").GetInt32());
        casesByPeriod[period] = lastSubmitted.GetProperty("id").GetGuid();
        numbersByPeriod[period] = lastSubmitted.GetProperty("number").GetString()!;
    }

    /// <summary>The approving host reads an approval back by itself (no restart); waits, bounded, until its store shows every stored status.</summary>
    private async Task StoreCaughtUpAsync()
    {
        var stored = (await state.GetJson("policy", "/api/rulesets")).EnumerateArray()
            .Single(p => p.GetProperty("policyCode").GetString() == Policy).GetProperty("versions").EnumerateArray()
            .Select(v => (v.GetProperty("versionKey").GetString()!, Enum.Parse<RuleSetStatus>(v.GetProperty("storedStatus").GetString()!)))
            .ToList();
        await RuleSetStoreWait.ForAllAsync(state.App, stored);
    }

    private static int AgeOn(DateOnly birth, DateOnly day) =>
        day.Year - birth.Year - (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) ? 1 : 0);

    /// <summary>Orders table keys as the grid lists them: part by part (split at "|"), numerically where both parts are numbers.</summary>
    private static int CompareKeys(string a, string b)
    {
        var x = a.Split('|');
        var y = b.Split('|');
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            var c = int.TryParse(x[i], out var m) && int.TryParse(y[i], out var n) ? m.CompareTo(n) : string.CompareOrdinal(x[i], y[i]);
            if (c != 0) return c;
        }
        return x.Length.CompareTo(y.Length);
    }

    private static decimal Money(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
