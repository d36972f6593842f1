using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Workflows;

/// <summary>
/// Issue 6, item 7: definitions drawn as diagrams. Staff open 流程定义 and see the selected definition's steps and
/// transitions; on a case page the case's current step and its path so far are highlighted.
/// </summary>
public sealed class WorkflowDiagramInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Diagram_ShowsDefinitionSteps_AndHighlightsTheCasesCurrentStepAndPath()
    {
        var page = await SignInAsync("reviewer", "/workflows?definition=standard-subsidy@3");
        var diagram = page.Locator("[data-testid=workflow-diagram]");
        await Assertions.Expect(diagram).ToHaveAttributeAsync("data-definition", "standard-subsidy@3");
        await Assertions.Expect(diagram.Locator(".wf-step[data-step=TownshipReview]")).ToContainTextAsync("乡镇审核");
        await Assertions.Expect(diagram.Locator(".wf-step[data-step=Publicity]")).ToContainTextAsync("定时");
        await Assertions.Expect(diagram.Locator(".wf-step")).ToHaveCountAsync(11);
        // Links are drawn (an arrow per transition) and labelled with the action in Chinese.
        await Assertions.Expect(diagram.Locator("g.diagram-link").First).ToBeAttachedAsync();
        await Assertions.Expect(diagram.Locator(".default-link-label", new() { HasText = "公示期满" }).First).ToBeVisibleAsync();
        await Assertions.Expect(diagram.Locator(".wf-step[data-current=true]")).ToHaveCountAsync(0);
        await ShotAsync(page, "workflow-definitions.png");

        // Another version, chosen in the table.
        await page.Locator("tr[data-key='standard-subsidy@1']").GetByText("查看流程图").ClickAsync();
        await Assertions.Expect(diagram).ToHaveAttributeAsync("data-definition", "standard-subsidy@1");
        await Assertions.Expect(page.Locator("[data-testid=selected-definition]")).ToContainTextAsync("standard-subsidy@1");

        var (id, _) = await SubmitAsync(Claims.FiveLines());
        await ActAsync("clerk.review", id, "Approve");
        var casePage = await OpenCaseAsync("reviewer", id);
        var caseDiagram = casePage.Locator("[data-testid=workflow-diagram]");
        var current = caseDiagram.Locator(".wf-step[data-current=true]");
        await Assertions.Expect(current).ToHaveCountAsync(1);
        await Assertions.Expect(current).ToHaveAttributeAsync("data-step", "CountyReview");
        await Assertions.Expect(current).ToContainTextAsync("县级主管部门审核");
        await Assertions.Expect(caseDiagram.Locator(".wf-step[data-step=TownshipReview]")).ToHaveAttributeAsync("data-visited", "true");
        await Assertions.Expect(caseDiagram.Locator(".wf-step[data-step=SampleCheck]")).ToHaveAttributeAsync("data-visited", "false");
        await Assertions.Expect(caseDiagram.Locator(".wf-legend")).ToContainTextAsync("当前环节");
        await casePage.Locator("h2", new() { HasText = "流程图" }).ScrollIntoViewIfNeededAsync();
        await ShotAsync(casePage, "workflow-diagram-case.png");

        // The diagram follows the case: after the reviewer approves, the sample check is current.
        await Button(casePage, "通过").ClickAsync();
        await Button(casePage.Locator(".ant-modal-content"), "确定通过").ClickAsync(); // the confirmation every case action asks
        await Assertions.Expect(casePage.Locator("[data-testid=current-step]")).ToHaveTextAsync("现场抽查");
        await Assertions.Expect(current).ToHaveAttributeAsync("data-step", "SampleCheck");
        await Assertions.Expect(caseDiagram.Locator(".wf-step[data-step=CountyReview]")).ToHaveAttributeAsync("data-visited", "true");
    }
}
