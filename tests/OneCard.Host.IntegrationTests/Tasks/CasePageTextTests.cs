using System.Text.Json;
using OneCard.Host.Components.Shared;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.IntegrationTests.Tasks;

/// <summary>
/// Unit tests of how the case pages say things (issue 10 item 4): a time limit as its last day, rule results by their
/// Chinese words, the confirmation of an action from the definition, the step bar's main path.
/// </summary>
[UseCulture("zh-CN")]
public sealed class CasePageTextTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DueDate_StoredAsMidnightOfThe10th_ReadsAsThe9th()
    {
        // The exclusive end 2026-12-10 00:00 China time (16:00 UTC on the 9th) is the end of Wednesday the 9th.
        var due = new DateTimeOffset(2026, 12, 9, 16, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateOnly(2026, 12, 9), DueDates.LastDay(due));
        Assert.Equal("12月9日（星期三）内办结", DueDates.Text(due, Now));
        Assert.Equal("截止时间 2026-12-10 00:00（北京时间）", DueDates.Exact(due));
    }

    [Fact]
    public void DueDate_NotAtMidnight_ReadsAsItsOwnDay_AndNamesTheYearWhenItIsAnother()
    {
        Assert.Equal("12月9日（星期三）内办结", DueDates.Text(new DateTimeOffset(2026, 12, 9, 17, 30, 0, TimeSpan.FromHours(8)), Now));
        Assert.Equal("2027年1月4日（星期一）内办结", DueDates.Text(new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.FromHours(8)), Now));
        Assert.Equal("—", DueDates.Text(null, Now));
    }

    private static readonly EligibilityRule IdRule = new("ValidIdNumber", "Fn.IsValidIdNumber(IdNumber, AsOf)", "身份证号无效", "The ID number is invalid");
    private static readonly EligibilityRule LandRule = new("LandNotConverted", "!LandConverted",
        "耕地已改变用途（畜牧养殖场、林地、设施农业或非农业用途），不予补贴", "converted");

    [Fact]
    public void RuleResults_ReadInTheRuleSetsWords_NeverByInternalName()
    {
        var passed = RuleResults.Describe("ValidIdNumber", passed: true, messageZh: null, fault: null, IdRule);
        Assert.Equal("符合：无“身份证号无效”情形", passed.Text);
        var failed = RuleResults.Describe("LandNotConverted", passed: false, LandRule.MessageZh, fault: null, LandRule);
        Assert.Equal("不符合：耕地已改变用途（畜牧养殖场、林地、设施农业或非农业用途）", failed.Text);
        var faulted = RuleResults.Describe("AreaPositive", passed: false, null, fault: "缺少本县标准", null);
        Assert.Equal("规则故障：缺少本县标准", faulted.Text);
        foreach (var row in new[] { passed, failed, faulted })
        {
            Assert.DoesNotContain(row.RuleName, row.Text);
            Assert.DoesNotContain("未通过时", row.Text);
        }
    }

    [Fact]
    public void RuleResults_FromAStoredLine_UseTheStoredMessage()
    {
        using var json = JsonDocument.Parse("""[{"RuleName":"ValidIdNumber","Passed":true,"MessageZh":"身份证号无效","MessageEn":"x","Fault":null},{"RuleName":"LandNotConverted","Passed":false,"MessageZh":"耕地已改变用途","MessageEn":"x","Fault":null}]""");
        var rows = RuleResults.DescribeAll(json.RootElement, null);
        Assert.Equal(["符合：无“身份证号无效”情形", "不符合：耕地已改变用途"], rows.Select(r => r.Text));
    }

    private static WorkflowDefinition Standard() =>
        WorkflowCatalog.LoadFromDirectory(Path.Combine(RepoRoot(), "workflows")).Latest("standard-subsidy");

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OneCard.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("OneCard.sln not found above the test's directory.");
    }

    [Fact]
    public void Confirmation_NamesTheTargetStep_AndTheCommentTheDefinitionRequires()
    {
        var definition = Standard();
        var approve = CaseActionTexts.For(definition, "TownshipReview", "Approve");
        Assert.Equal("通过后案件将转“县级主管部门审核”。", approve.Consequence);
        Assert.False(approve.CommentRequired);
        var returned = CaseActionTexts.For(definition, "CountyReview", "Return");
        Assert.Equal("退回后案件将转“乡镇审核”。", returned.Consequence);
        Assert.True(returned.CommentRequired);
        Assert.Equal("撤回后案件将结束（已撤回），不能再办理。", CaseActionTexts.For(definition, "Returned", "Withdraw").Consequence);
    }

    [Fact]
    public void MainPath_RunsToTheRegularEnd_AndPlacesAStepOffItWhereTheCaseLeftThePath()
    {
        var definition = Standard();
        Assert.Equal(["乡镇审核", "县级主管部门审核", "现场抽查", "公示", "财政程序性复核", "支付", "已公开"],
            MainPath.Of(definition, "CountyReview").Select(i => i.TitleZh));
        Assert.Equal(["乡镇审核", "退回修改", "县级主管部门审核", "现场抽查", "公示", "财政程序性复核", "支付", "已公开"],
            MainPath.Of(definition, "Returned", "TownshipReview").Select(i => i.TitleZh));
        Assert.Equal(["乡镇审核", "县级主管部门审核", "已驳回"], MainPath.Of(definition, "Rejected", "CountyReview").Select(i => i.TitleZh));
    }
}
