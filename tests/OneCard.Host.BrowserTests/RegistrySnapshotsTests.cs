using System.Text;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests;

/// <summary>
/// The administrator opens 基础数据比对源 (/registry/snapshots), uploads a small household registry extract saved by Chinese
/// Excel (GBK), confirms, and sees it current; a file with a bad ID number is refused with the row and column shown; a second
/// extract names the first in its confirmation ("将替换 … 的户籍快照（2 行…）") and leaves it marked replaced.
/// </summary>
public sealed class RegistrySnapshotsTests(ITestOutputHelper output) : BrowserTest(output)
{
    static RegistrySnapshotsTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static byte[] Gbk(params string[] lines) => Encoding.GetEncoding("GB18030").GetBytes(string.Join("\r\n", lines) + "\r\n");

    [Fact]
    public async Task Administrator_UploadsAGbkExtract_SeesItCurrent_ThenReplacesIt()
    {
        var page = await SignInAsync("admin", "/registry/snapshots");
        await page.Locator("[data-testid=upload-kind]").SelectOptionAsync("HouseholdRegistry");
        await page.Locator("[data-testid=upload-region]").FillAsync("210124");
        await page.Locator("[data-testid=upload-source]").FillAsync("法库县公安局");
        await page.Locator("[data-testid=upload-asof]").FillAsync("2026-02-27");
        await Assertions.Expect(page.Locator("[data-testid=columns] [data-column=户籍地区代码]")).ToContainTextAsync("是");

        var first = Gbk("身份证号,姓名,户籍地区代码,户籍状态", $"{Claims.Id("21012419800101123")},张三,210124101,正常", $"{Claims.Id("21012419750505123")},欧阳秀英,210124102,正常");
        await UploadAsync(page, "first.csv", first);
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal.Locator("[data-testid=confirm-text]")).ToContainTextAsync("第一份户籍快照");
        await Button(modal, "导入").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        var firstState = page.Locator("[data-testid=snapshot-state][data-file='first.csv']");
        await Assertions.Expect(firstState).ToHaveAttributeAsync("data-current", "true");
        await Assertions.Expect(page.Locator("[data-testid=snapshots]")).ToContainTextAsync("GB18030");

        // A bad ID number: refused whole, the row and the column shown, nothing added to the list.
        await UploadAsync(page, "bad.csv", Gbk("身份证号,户籍地区代码", "210124198001011231,210124101"));
        await Button(modal, "导入").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=line-errors]")).ToContainTextAsync("身份证号");
        await Assertions.Expect(page.Locator("[data-testid=line-errors] tr.ant-table-row td").First).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("[data-testid=snapshot-state]")).ToHaveCountAsync(1);

        await page.Locator("[data-testid=upload-asof]").FillAsync("2026-03-01");
        var second = Gbk("身份证号,姓名,户籍地区代码,户籍状态", $"{Claims.Id("21012419800101123")},张三,210124101,死亡");
        await UploadAsync(page, "second.csv", second);
        await Assertions.Expect(modal.Locator("[data-testid=confirm-text]")).ToContainTextAsync("将替换 2026-02-27 的户籍快照（2 行");
        await Button(modal, "导入").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=snapshot-state][data-file='second.csv']")).ToHaveAttributeAsync("data-current", "true");
        await Assertions.Expect(firstState).ToHaveAttributeAsync("data-current", "false");
        await Assertions.Expect(firstState).ToContainTextAsync("已被替换");
        await ShotAsync(page, "registry-snapshots-replaced.png");
    }

    private static async Task UploadAsync(IPage page, string name, byte[] content)
    {
        await page.Locator("[data-testid=upload-file]").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "text/csv", Buffer = content });
        await page.Locator("[data-testid=upload-submit]").ClickAsync();
    }
}
