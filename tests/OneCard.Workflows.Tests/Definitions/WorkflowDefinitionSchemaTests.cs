using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using static OneCard.Workflows.Tests.TestData;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows.Tests.Definitions;

public class WorkflowDefinitionSchemaTests
{
    private static string PublishedSchema => File.ReadAllText(Path.Combine(WorkflowsDirectory, "workflow-definition.schema.json"));

    [Fact]
    public void EmbeddedSchema_IsThePublishedFile()
    {
        Assert.Equal(PublishedSchema, WorkflowDefinitionLoader.SchemaText);
    }

    [Theory]
    [InlineData("standard-subsidy.v1.json")]
    [InlineData("standard-subsidy.v2.json")]
    [InlineData("standard-subsidy.v3.json")]
    [InlineData("standard-subsidy.v4.json")]
    [InlineData("standard-subsidy.v5.json")]
    public void ShippedDefinition_IsValidAgainstThePublishedSchema(string file)
    {
        var schema = JsonSchema.FromText(PublishedSchema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(WorkflowsDirectory, file)));

        var results = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(results.IsValid);
    }

    [Fact]
    public void Validate_LocatesMissingInitialStep_InChinese()
    {
        var json = Mutate("$", node => node.AsObject().Remove("initialStep"));

        var error = Assert.Single(WorkflowDefinitionLoader.Validate(json, "m.json"));

        Assert.Equal((MissingProperty, "$.initialStep", "m.json"), (error.Code, error.Path, error.Source));
        Assert.Equal("缺少必填字段 initialStep。", error.MessageZh);
    }

    [Fact]
    public void Validate_LocatesUnknownStepProperty()
    {
        var json = Mutate("$.steps[1]", node => node["tilteZh"] = "完成");

        var error = Assert.Single(WorkflowDefinitionLoader.Validate(json, "m.json"));

        Assert.Equal((UnknownProperty, "$.steps[1].tilteZh"), (error.Code, error.Path));
        Assert.StartsWith("未知字段 tilteZh", error.MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LocatesBadKind_NamingTheAllowedValues()
    {
        var json = Mutate("$.steps[0]", node => node["kind"] = "Manual");

        var error = Assert.Single(WorkflowDefinitionLoader.Validate(json, "m.json"));

        Assert.Equal((UnknownKind, "$.steps[0].kind"), (error.Code, error.Path));
        Assert.Equal("kind 取值必须是 \"Human\"、\"Timer\"、\"System\"、\"Parallel\"、\"Final\" 之一（现为 \"Manual\"）。", error.MessageZh);
    }

    [Fact]
    public void Validate_LocatesWrongType()
    {
        var json = Mutate("$", node => node["version"] = "1");

        var error = Assert.Single(WorkflowDefinitionLoader.Validate(json, "m.json"));

        Assert.Equal((InvalidValue, "$.version"), (error.Code, error.Path));
        Assert.StartsWith("类型不对：应为 整数", error.MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsEverySchemaError_BeforeAnyGraphCheck()
    {
        var json = Mutate("$.transitions[0]", node =>
        {
            node["to"] = "Nowhere";
            node.AsObject().Remove("role");
            node["commentRequired"] = "yes";
        });

        var errors = WorkflowDefinitionLoader.Validate(json, "m.json");

        Assert.Equal(
            [(InvalidValue, "$.transitions[0].commentRequired"), (MissingProperty, "$.transitions[0].role")],
            errors.Select(e => (e.Code, e.Path)).Order());
    }

    [Fact]
    public void Validate_RefusesDuplicateProperty_AsInvalidJson()
    {
        var json = Fixture("valid-minimal.json").Replace("\"version\": 1,", "\"version\": 1, \"version\": 2,", StringComparison.Ordinal);

        Assert.Equal(InvalidJson, Assert.Single(WorkflowDefinitionLoader.Validate(json, "m.json")).Code);
    }
}
