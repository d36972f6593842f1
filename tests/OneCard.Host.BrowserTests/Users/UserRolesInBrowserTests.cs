using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Users;

/// <summary>
/// The administrator opens 用户与角色 (/admin/users), filters the table down to one user, grants them a second role after
/// confirming, and sees it as a tag beside the first; the API shows the same two roles.
/// </summary>
public sealed class UserRolesInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Administrator_FiltersTheUsers_GrantsASecondRole_AndSeesItsTag()
    {
        var page = await SignInAsync("admin", "/admin/users");
        await Assertions.Expect(page.Locator("[data-testid=user-roles] [data-role=Administrator]")).ToHaveCountAsync(1);
        var rows = page.Locator("[data-testid=users] tr.ant-table-row");
        await Assertions.Expect(rows.First).ToBeVisibleAsync(new() { Timeout = Patience });

        await page.Locator("[data-testid=filter-text]").FillAsync("reviewer.kangping");
        await page.Locator("[data-testid=filter-apply]").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        var row = rows.First;
        await Assertions.Expect(row).ToContainTextAsync("孙审核（康平县农业农村局）");
        await Assertions.Expect(row).ToContainTextAsync("农业农村");
        await Assertions.Expect(row.Locator("[data-testid=role-tag]")).ToHaveCountAsync(1);

        await row.Locator("[data-testid=grant-role]").SelectOptionAsync("Supervisor");
        await row.Locator("[data-testid=grant]").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("将授予 用户 reviewer.kangping");
        await Assertions.Expect(modal).ToContainTextAsync("监管人员");
        await Button(modal, "确定").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);

        await Assertions.Expect(row.Locator("[data-testid=role-tag]")).ToHaveCountAsync(2);
        await Assertions.Expect(row.Locator("[data-testid=role-tag][data-role=Supervisor]")).ToContainTextAsync("监管人员");
        await Assertions.Expect(row.Locator("[data-testid=role-tag][data-role=CountyReviewer]")).ToContainTextAsync("县级主管部门审核人");
        await ShotAsync(page, "user-roles-granted.png");

        var listed = (await (await App.SignInAsync("admin")).GetFromJsonAsync<JsonElement>("/api/admin/users?text=reviewer.kangping")).EnumerateArray().Single();
        Assert.Equal(["CountyReviewer", "Supervisor"], listed.GetProperty("roles").EnumerateArray().Select(r => r.GetProperty("role").GetString()!).ToArray());
    }
}
