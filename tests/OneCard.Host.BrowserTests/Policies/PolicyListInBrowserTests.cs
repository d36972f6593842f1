using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Policies;

/// <summary>
/// A policy officer on /policies drafts the 2027 province list, edits 高龄津贴's standard, is refused with a located error
/// for shares that do not sum to 100, fixes them and publishes; the public page (no sign-in, phone width) shows the change.
/// </summary>
public sealed class PolicyListInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task PolicyOfficer_EditsTheDraftsStandard_SeesTheSharesError_FixesIt_Publishes_AndThePublicPageShowsTheDiff()
    {
        var page = await SignInAsync("policy", "/policies");
        await Assertions.Expect(page.Locator("[data-testid=list-title]")).ToContainTextAsync("2026年 第1版");
        await Assertions.Expect(page.Locator("[data-testid=new-year]")).ToHaveValueAsync("2027");

        await Button(page, "新建草稿").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=list-title]")).ToContainTextAsync("2027年 第1版");
        await Assertions.Expect(page.Locator("[data-testid=list-title]")).ToContainTextAsync("草稿");

        var row = page.Locator("[data-testid=policy-items] tr.ant-table-row", new() { HasText = "高龄津贴" });
        await Button(row, "编辑").ClickAsync();
        var form = page.Locator("[data-testid=item-form]");
        await Assertions.Expect(form).ToContainTextAsync("elderly-longevity-allowance");
        await form.Locator("[data-testid=standard-text]").FillAsync("省定最低：80–89周岁城乡低收入老年人不低于60元/人月");
        await form.Locator("[data-testid=amount]").FillAsync("60");
        await form.Locator("[data-testid=central-share]").FillAsync("50");
        await form.Locator("[data-testid=provincial-share]").FillAsync("30");
        await form.Locator("[data-testid=city-share]").FillAsync("10");
        await form.Locator("[data-testid=county-share]").FillAsync("0");
        await Button(form, "保存").ClickAsync();

        var errors = form.Locator("[data-testid=item-errors] tr.ant-table-row");
        await Assertions.Expect(errors).ToHaveCountAsync(1);
        await Assertions.Expect(errors).ToContainTextAsync("items[6].shares");
        await Assertions.Expect(errors).ToContainTextAsync("第7项“高龄津贴”：资金分担比例合计应为100%，实为90%");
        await ShotAsync(page, "policy-list-shares-error.png");

        await form.Locator("[data-testid=county-share]").FillAsync("10");
        await Button(form, "保存").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=item-form]")).ToHaveCountAsync(0);
        await Assertions.Expect(row).ToContainTextAsync("60元/人月");
        await Assertions.Expect(row).ToContainTextAsync("中央50%、省30%、市10%、县10%");
        await Assertions.Expect(page.Locator("[data-testid=staff-diff]")).ToContainTextAsync("调整1项");

        await Button(page, "发布").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("将发布 2027 年清单第 1 版");
        await Button(modal, "确定").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=list-title]")).ToContainTextAsync("已发布");

        // The public page: no sign-in, a phone's width, nothing scrolls sideways; the diff names the change.
        var phone = await NewPageAsync();
        await phone.SetViewportSizeAsync(390, 844);
        await phone.GotoAsync(new Uri(App.BaseAddress, "/public/policies?region=210000&year=2027").ToString());
        await WaitUntilInteractiveAsync(phone, "补贴政策清单");
        await Assertions.Expect(phone.Locator("[data-testid=policy-row]")).ToHaveCountAsync(8);
        var diff = phone.Locator("[data-testid=policy-diff]");
        await Assertions.Expect(diff).ToContainTextAsync("与2026年清单（第1版）相比：新增0项，取消0项，调整1项");
        await Assertions.Expect(diff).ToContainTextAsync("高龄津贴");
        await Assertions.Expect(diff).ToContainTextAsync("标准金额：50元/人月 → 60元/人月");
        await Assertions.Expect(diff).ToContainTextAsync("资金分担比例：未找到公开来源 → 中央50%、省30%、市10%、县10%");
        var overflow = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the public page scrolls sideways by {overflow}px at 390px");
        await ShotAsync(phone, "policy-list-public-phone.png");

        // The year picker switches to 2026, whose diff is the seeded real change (大连 2025-07-01 standards).
        await phone.Locator("[data-testid=year]").SelectOptionAsync("2026");
        await Assertions.Expect(diff).ToContainTextAsync("调整2项");
        await Assertions.Expect(diff).ToContainTextAsync("城乡居民最低生活保障");

        var published = await App.CreateClient().GetFromJsonAsync<JsonElement>("/api/public/policy-lists?region=210000&year=2027");
        Assert.Equal(60m, published.GetProperty("items")[6].GetProperty("amount").GetDecimal());
    }
}
