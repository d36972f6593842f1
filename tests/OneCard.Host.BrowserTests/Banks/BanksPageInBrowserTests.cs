using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Banks;

/// <summary>
/// Finance opens 代发银行 (/finance/banks), filters the registry down to one bank, opens it, rotates its agreement's keys and
/// then terminates the agreement, each after confirming, and adds a contact; the page and the API show key version 2 and the agreement terminated.
/// </summary>
public sealed class BanksPageInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Finance_FiltersTheBanks_OpensOne_RotatesTheAgreementKeys_AndTerminatesIt()
    {
        var page = await SignInAsync("finance", "/finance/banks");
        var rows = page.Locator("[data-testid=banks] tr.ant-table-row");
        await Assertions.Expect(rows.First).ToBeVisibleAsync(new() { Timeout = Patience });

        await page.Locator("[data-testid=filter-bank]").FillAsync("农信");
        await page.Locator("[data-testid=filter-apply]").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("LNRCU");
        await rows.First.Locator("[data-testid=open-bank]").ClickAsync();

        var detail = page.Locator("[data-testid=bank-detail][data-bank=LNRCU]");
        await Assertions.Expect(detail.Locator("[data-testid=agreement-no]")).ToHaveTextAsync("FK-DF-2026-001");
        await Assertions.Expect(detail.Locator("[data-testid=key-version]")).ToHaveTextAsync("v1");
        await Assertions.Expect(detail).ToContainTextAsync("竞争性磋商");

        await detail.Locator("[data-testid=rotate-keys]").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("版本 v2");
        await Button(modal, "确定").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(detail.Locator("[data-testid=key-version]")).ToHaveTextAsync("v2");

        await detail.Locator("[data-testid=terminate]").ClickAsync();
        await Assertions.Expect(modal).ToContainTextAsync("FK-DF-2026-001");
        await modal.Locator("[data-testid=terminate-reason]").FillAsync("协议到期不再续签");
        await Button(modal, "确定").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(detail.Locator("[data-testid=agreement-status]")).ToHaveTextAsync("已终止");
        await Assertions.Expect(detail.Locator("[data-testid=terminate]")).ToHaveCountAsync(0);
        await ShotAsync(page, "banks-agreement-terminated.png");

        await detail.Locator("[data-testid=con-name]").FillAsync("孙经理");
        await detail.Locator("[data-testid=con-duty]").FillAsync("业务联系人");
        await detail.Locator("[data-testid=con-phone]").FillAsync("024-87112233");
        await detail.Locator("[data-testid=con-save]").ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync("024-87112233");

        var bank = await (await App.SignInAsync("supervisor")).GetFromJsonAsync<JsonElement>("/api/banks/LNRCU");
        var agreement = bank.GetProperty("agreements").EnumerateArray().Single();
        Assert.Equal(("Terminated", 2), (agreement.GetProperty("status").GetString(), agreement.GetProperty("keyVersion").GetInt32()));
        Assert.Equal("孙经理", bank.GetProperty("contacts").EnumerateArray().Single().GetProperty("name").GetString());
    }
}
