using System.Text.Json;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows;

/// <summary>Reads a workflow definition from JSON and validates it, reporting every problem with its location.</summary>
/// <remarks>
/// Format: the JSON Schema <c>workflows/workflow-definition.schema.json</c> (embedded, see <see cref="SchemaText"/>);
/// property names are case-sensitive, unknown properties are errors, "description" is allowed on the definition, steps and transitions:
/// <code>
/// { "definitionId": "standard-subsidy", "version": 1, "titleZh": "…", "titleEn": "…", "initialStep": "TownshipReview",
///   "steps": [ { "name": "TownshipReview", "kind": "Human", "role": "TownshipClerk",
///                "timeLimit": { "amount": 5, "unit": "WorkingDays" }, "remindBefore": { "amount": 1, "unit": "WorkingDays" },
///                "titleZh": "乡镇审核", "titleEn": "Township review",
///                "onEnter": [], "lineActions": ["RejectLines"], "parameters": { "sampleShare": "0.1" },
///                "separateFrom": ["Submit"] } ],
///   "transitions": [ { "from": "TownshipReview", "action": "Return", "to": "Returned",
///                      "role": "TownshipClerk", "guard": null, "commentRequired": true } ] }
/// </code>
/// "role" must be present on every transition; <c>null</c> there means a system-only action.
/// "separateFrom" names steps of the definition, or "Submit" for the case's submission, whose actors may not take the step.
/// </remarks>
public static partial class WorkflowDefinitionLoader
{
    /// <summary>Largest definition accepted, in characters; shipped definitions are a few kilobytes.</summary>
    public const int MaxLength = 1_000_000;

    /// <summary>Loads and validates a definition.</summary>
    /// <param name="json">The definition's JSON text.</param>
    /// <param name="source">Where it came from (file path or name), used in error locations.</param>
    /// <exception cref="WorkflowDefinitionException">The definition is invalid; <see cref="WorkflowDefinitionException.Errors"/> lists why.</exception>
    public static WorkflowDefinition Load(string json, string source)
    {
        var (definition, errors) = Read(json, source);
        return errors.Count == 0 && definition is not null ? definition : throw new WorkflowDefinitionException(errors);
    }

    /// <summary>Validates a definition without throwing; an empty list means it would load.</summary>
    /// <param name="json">The definition's JSON text.</param>
    /// <param name="source">Where it came from (file path or name), used in error locations.</param>
    public static IReadOnlyList<WorkflowDefinitionError> Validate(string json, string source) => Read(json, source).Errors;

    private static (WorkflowDefinition? Definition, IReadOnlyList<WorkflowDefinitionError> Errors) Read(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        var r = new Reader(source);
        if (json.Length > MaxLength)
        {
            r.Error("$", InvalidJson, $"定义文件过大（超过 {MaxLength} 个字符）。", $"The definition is larger than {MaxLength} characters.");
            return (null, r.Errors);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            var at = ex.LineNumber is { } line ? $"$ (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "$";
            r.Error(at, InvalidJson, $"JSON 格式错误：{ex.Message}", $"Malformed JSON: {ex.Message}");
            return (null, r.Errors);
        }

        using (doc)
        {
            // Structure first (the published schema); the hand-written checks below assume it and look only at
            // what a schema cannot say: step-kind rules, reserved names and the graph.
            CheckSchema(doc.RootElement, r);
            if (r.Errors.Count > 0)
            {
                return (null, r.Errors);
            }

            var draft = r.ReadRoot(doc.RootElement);
            if (draft is not null)
            {
                DefinitionGraph.Check(draft, r);
            }

            if (r.Errors.Count > 0 || draft is null)
            {
                return (null, r.Errors);
            }

            return (draft.Build(json), r.Errors);
        }
    }
}
