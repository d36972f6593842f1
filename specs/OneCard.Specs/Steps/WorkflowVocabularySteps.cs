using System.Text.Json.Nodes;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Definitions checked against the registered vocabulary when a host starts on a workflows folder of its own.</summary>
[Binding]
public sealed class WorkflowVocabularySteps
{
    private readonly string directory = Directory.CreateTempSubdirectory("onecard-spec-workflows-").FullName;
    private Exception? refusal;

    [AfterScenario]
    public void RemoveFolder() => Directory.Delete(directory, recursive: true);

    [Given(@"^流程目录中新增 standard-subsidy 第3版，其第(\d+)条转移的 guard 拼错为""(.+)""$")]
    public void GivenMisspeltGuard(int transition, string guard)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
        foreach (var file in Directory.GetFiles(shipped, "standard-subsidy.v*.json")) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        var v3 = JsonNode.Parse(File.ReadAllText(Path.Combine(shipped, "standard-subsidy.v2.json")))!.AsObject();
        v3["version"] = 3;
        v3["transitions"]![transition - 1]!["guard"] = guard;
        File.WriteAllText(Path.Combine(directory, "standard-subsidy.v3.json"), v3.ToJsonString());
    }

    [When(@"^系统以该流程目录启动$")]
    public async Task WhenStarted()
    {
        try
        {
            // Off SpecFlow's synchronization context, as the hook starts its host.
            await using var app = await Task.Run(() => OneCardApp.StartAsync(settings: new Dictionary<string, string?> { ["Workflows:Directory"] = directory }));
        }
        catch (Exception e)
        {
            refusal = e;
        }
    }

    [Then(@"^系统拒绝启动$")]
    public void ThenRefused() => Assert.NotNull(refusal);

    [Then(@"^错误信息包含""(.+)""$")]
    public void ThenMessageContains(string text) => Assert.Contains(text, refusal!.ToString(), StringComparison.Ordinal);
}
