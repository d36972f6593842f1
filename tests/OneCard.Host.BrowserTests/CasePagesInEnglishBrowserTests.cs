using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Domain.Cases;
using OneCard.Domain.Registry;
using OneCard.Host.BrowserTests.Support;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Testing;
using OneCard.Workflows;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests;

/// <summary>
/// Issue 10 item 8 for the case pages: users who chose English see a case (lines, rule results, warnings, account history,
/// history, cross-check hits, the line-correction form, publicity objections, the workflow diagram), the roster upload and
/// its import result, the workflow definitions and a case of another kind (a complaint) with no Chinese of the pages' own;
/// only data (names, places, comments, file names, stored reasons) is left out, and listed in the test output.
/// </summary>
public sealed class CasePagesInEnglishBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private const string Header = "姓名,身份证号,地区代码,银行账号,开户银行,承包面积（亩）,是否改变用途";

    [Fact]
    public async Task CasePages_InEnglish_ShowNoChineseOfTheirOwn()
    {
        foreach (var user in new[] { "clerk", "clerk.review", "reviewer" }) await ChooseEnglishAsync(user);

        // A returned case with a cross-check hit: its clerk sees lines, rule results, history, hits and may correct lines.
        var (id, number) = await SubmitAsync(Claims.FiveLines());
        await AddCrossCheckHitAsync(id, 1, CrossCheckKind.Deceased, "死亡火化数据（辽宁省民政厅，截至2026-02-28）第17行：2026-01-02 死亡，早于期次结束",
            "Deaths data (Liaoning civil affairs, to 2026-02-28) row 17: died 2026-01-02, before the period ended");
        await ActAsync("clerk.review", id, "Return", "第2条的耕地用途有误，请核实");
        var page = await OpenCaseAsync("clerk", id);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Application " + number);
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("Returned for correction");
        var hits = page.Locator("[data-testid=crosscheck-hits] tr.ant-table-row");
        await Assertions.Expect(hits).ToHaveCountAsync(1);
        await Assertions.Expect(hits).ToContainTextAsync("Deceased");
        var li = page.Locator(".case-lines tr.ant-table-row", new() { HasText = "李四" }).First;
        await Assertions.Expect(li).ToContainTextAsync("Not eligible");
        await li.Locator(".ant-table-row-expand-icon").ClickAsync();
        var details = page.Locator(".line-details");
        await Assertions.Expect(details.Locator("[data-testid=rule-result]").First).ToBeVisibleAsync();
        await Assertions.Expect(details).ToContainTextAsync("Not met: ");
        await Assertions.Expect(details).ToContainTextAsync("Met: ");
        await Assertions.Expect(details.Locator("[data-testid=account-history]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=workflow-diagram] .wf-step").First).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(page, Output, "Claim lines", "Cross-check hits", "History", "Workflow diagram", "Correct lines from a file");
        await ShotAsync(page, "case-english.png");

        // The correction form and its confirmation.
        await li.Locator("[data-testid=correct-line-2] button").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("Correct line 2");
        await Assertions.Expect(modal.Locator("[data-testid=correct-field-AreaMu]")).ToContainTextAsync("AreaMu");
        await modal.Locator("[data-testid=correct-field-LandConverted] label", new() { HasText = "No" }).ClickAsync();
        await EnglishPages.AssertNoChineseAsync(page, Output, "Correct line 2", "Next");
        await Button(modal, "Next").ClickAsync();
        await Assertions.Expect(modal.Locator("[data-testid=correct-confirm]")).ToContainTextAsync("LandConverted Yes → No");
        await EnglishPages.AssertNoChineseAsync(page, Output, "Line 2 will be corrected");
        await Button(modal, "Correct").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(li).Not.ToContainTextAsync("Not eligible");
        await ActAsync("clerk", id, "Resubmit");

        // The reviewer who returned it sees the corrections since the return.
        var reviewer = await OpenCaseAsync("clerk.review", id);
        await Assertions.Expect(reviewer.Locator("[data-testid=corrections-title]")).ToHaveTextAsync("Corrections since the case was returned");
        await Assertions.Expect(reviewer.Locator(".line-corrections [data-testid=correction-change]")).ToHaveTextAsync("LandConverted: Yes → No");
        await Assertions.Expect(reviewer.Locator("[data-testid=hit-reject][data-line='1'] button")).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(reviewer, Output, "Corrections since the case was returned", "Reject the line", "Keep (comment required)");

        // A case in its objection step: the county reviewer's objections table.
        var publicized = await DriveToPublicityAsync(Claims.FiveLines());
        var anonymous = App.CreateClient(new() { BaseAddress = App.BaseAddress });
        var noticeId = (await anonymous.GetFromJsonAsync<JsonElement>("/api/public/notices")).EnumerateArray().Single().GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsJsonAsync($"/api/public/notices/{noticeId}/objections",
            new { lineNo = 1, text = "此户土地已流转", contact = "13800000001" })).StatusCode);
        App.Clock.Advance(TimeSpan.FromDays(8));
        await App.Services.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, publicized, "Publicity", default);
        var objections = await OpenCaseAsync("reviewer", publicized);
        await Assertions.Expect(objections.Locator(".case-objections tr.ant-table-row")).ToHaveCountAsync(1);
        await Assertions.Expect(objections.Locator(".case-objections tr.ant-table-row")).ToContainTextAsync("Open");
        await EnglishPages.AssertNoChineseAsync(objections, Output, "Publicity objections", "Select all open (1)");
        await Button(objections, "Select all open (1)").ClickAsync();
        await Button(objections, "Resolve selected objections (1)").ClickAsync();
        await Assertions.Expect(objections.Locator("[data-testid=objection-confirm]")).ToHaveTextAsync("1 objection(s) will be resolved (concerning line(s) 1).");
        await Assertions.Expect(objections.Locator(".ant-modal-content")).ToContainTextAsync("Dismiss the objection");
        await EnglishPages.AssertNoChineseAsync(objections, Output, "Publicity objections");
        await ShotAsync(objections, "case-objections-english.png");

        // The roster upload page, and the import's result page (a roster refused as a whole).
        var upload = await SignInAsync("clerk", "/applications/new");
        await Assertions.Expect(upload.Locator("[data-columns] tbody tr")).Not.ToHaveCountAsync(0);
        await EnglishPages.AssertNoChineseAsync(upload, Output, "Upload a roster", "Download the template (CSV)", "Refuse the whole roster");
        await upload.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "有错误.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(string.Join("\r\n", Header,
                $"张三,{Claims.Id("21012419800101123")},210124101,{Claims.Account},邮储银行法库县支行,12.5,否",
                $"王五,{Claims.Id("21012419660303456")},210124101,{Claims.Account},邮储银行法库县支行,-2,否") + "\r\n"),
        });
        await Button(upload, "Submit").ClickAsync();
        await Assertions.Expect(upload.Locator("[data-testid=roster-confirm]")).ToContainTextAsync("period 2026");
        await EnglishPages.AssertNoChineseAsync(upload, Output, "Submit the roster");
        await Button(upload.Locator(".ant-modal-content"), "Submit").ClickAsync();
        await upload.WaitForURLAsync(new Regex(@"/roster-imports/[0-9a-f-]{36}$"));
        await WaitUntilInteractiveAsync(upload, "Roster import");
        await App.Services.GetRequiredService<OneCard.Host.Applications.RosterImportJob>().RunAsync(Guid.Parse(upload.Url[^36..]), CancellationToken.None);
        await Assertions.Expect(upload.Locator("[data-import-done=true]")).ToBeVisibleAsync();
        await Assertions.Expect(upload.Locator("[data-import-status]")).ToHaveAttributeAsync("data-import-status", "Refused");
        await Assertions.Expect(upload.Locator(".ant-table tr.ant-table-row")).ToHaveCountAsync(1);
        await EnglishPages.AssertNoChineseAsync(upload, Output, "Roster import", "The roster was refused as a whole", "Download the full error report (CSV)");
        await ShotAsync(upload, "roster-import-english.png");

        // The workflow definitions with a diagram.
        var workflows = await SignInAsync("reviewer", "/workflows");
        await Assertions.Expect(workflows.Locator("[data-testid=workflow-diagram] .wf-step").First).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(workflows, Output, "Workflow definitions", "View diagram", "working days");

        // A case of another kind: a complaint, accepted with a comment.
        var complaint = await StartComplaintAsync();
        var response = await (await App.SignInAsync("reviewer")).PostAsJsonAsync($"/api/cases/Complaint/{complaint}/actions/Approve", new { comment = "已受理，转核查" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var other = await SignInAsync("reviewer", $"/cases/Complaint/{complaint}");
        await Assertions.Expect(other.Locator("[data-testid=current-step]")).ToHaveTextAsync("Investigation");
        await Assertions.Expect(other.Locator("h1")).ToHaveTextAsync("Complaint TS-EN-1");
        await EnglishPages.AssertNoChineseAsync(other, Output, "Complaint TS-EN-1", "History", "Open task: Investigation");
        await ShotAsync(other, "complaint-english.png");
    }

    /// <summary>The user's language, remembered on the user: every page they open from now on is in English.</summary>
    private async Task ChooseEnglishAsync(string user)
    {
        var client = await App.SignInAsync(user);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/auth/language", new { language = "en" })).StatusCode);
    }

    /// <summary>A complaint case in 大孤家子镇 at its first step (受理), which the county reviewer takes.</summary>
    private Task<Guid> StartComplaintAsync() => App.AsSystemAsync(async sp =>
    {
        var id = Guid.CreateVersion7();
        var db = sp.GetRequiredService<OneCardDbContext>();
        var definition = sp.GetRequiredService<WorkflowCatalog>().Latest("complaint-handling");
        await using var tx = await db.Database.BeginTransactionAsync();
        await sp.GetRequiredService<CaseEngine>().StartAsync(
            new CaseEngine.NewCase(new CaseSubject(SubjectKinds.Complaint, id), "TS-EN-1", Host.Demo.DemoData.Township, null), definition, default);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return id;
    });
}
