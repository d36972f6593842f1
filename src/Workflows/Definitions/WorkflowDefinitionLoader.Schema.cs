using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows;

// The structural check of WorkflowDefinitionLoader: the published JSON Schema (workflows/workflow-definition.schema.json,
// embedded in this assembly) evaluated by JsonSchema.Net, each failed keyword turned into a located error.
public static partial class WorkflowDefinitionLoader
{
    /// <summary>Name of the embedded copy of <c>workflows/workflow-definition.schema.json</c>.</summary>
    public const string SchemaResourceName = "OneCard.Workflows.workflow-definition.schema.json";

    /// <summary>The published schema's text, as embedded in this assembly.</summary>
    public static string SchemaText { get; } = ReadSchemaText();

    private static readonly JsonNode SchemaNode = JsonNode.Parse(SchemaText)!;

    // Built once, in a registry of its own so that another copy of the schema (a test, a tool) can be built beside it
    // without clashing on its $id; the 2020-12 meta-schema is part of the library, so nothing is fetched.
    private static readonly JsonSchema Schema = JsonSchema.FromText(SchemaText, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static string ReadSchemaText()
    {
        using var stream = typeof(WorkflowDefinitionLoader).Assembly.GetManifestResourceStream(SchemaResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {SchemaResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void CheckSchema(JsonElement root, Reader r)
    {
        var results = Schema.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return;
        }

        // The list format flattens the tree; the root carries its own keywords (e.g. a missing initialStep).
        foreach (var detail in (IEnumerable<EvaluationResults>)[results, .. results.Details ?? []])
        {
            if (detail.Errors is not { Count: > 0 } errors)
            {
                continue;
            }

            var (path, instance) = Locate(root, detail.InstanceLocation.ToString());
            var schema = SchemaAt(detail.SchemaLocation);
            var via = detail.EvaluationPath.ToString();
            foreach (var (keyword, message) in errors)
            {
                Report(r, keyword, message, path, instance, schema, via);
            }
        }
    }

    private static void Report(Reader r, string keyword, string message, string path, JsonElement instance, JsonNode? schema, string via)
    {
        var last = LastName(path);
        if (via.EndsWith("/additionalProperties", StringComparison.Ordinal) && keyword.Length == 0 && !path.Contains(".parameters.", StringComparison.Ordinal))
        {
            r.Error(path, UnknownProperty, $"未知字段 {last}（常见原因是拼写错误）。", $"Unknown property {last} (often a misspelling).");
            return;
        }

        if (via.EndsWith("/propertyNames", StringComparison.Ordinal))
        {
            r.Error(path, InvalidValue, $"参数名 {last} 必须是 camelCase 标识符。", $"Parameter name {last} must be a camelCase identifier.");
            return;
        }

        switch (keyword)
        {
            case "required":
                var present = instance.ValueKind == JsonValueKind.Object ? instance.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal) : [];
                var missing = (schema?["required"]?.AsArray() ?? []).Select(n => n!.GetValue<string>()).Where(n => !present.Contains(n)).ToList();
                foreach (var name in missing)
                {
                    var (zh, en) = path.Contains(".transitions[", StringComparison.Ordinal) && name == "role"
                        ? ("缺少必填字段 role；系统动作写 null。", "Required property role is missing; write null for a system-only action.")
                        : ($"缺少必填字段 {name}。", $"Required property {name} is missing.");
                    r.Error($"{path}.{name}", MissingProperty, zh, en);
                }

                if (missing.Count == 0)
                {
                    r.Error(path, MissingProperty, "缺少必填字段。", message);
                }

                return;
            case "enum":
                var allowed = string.Join("、", (schema?["enum"]?.AsArray() ?? []).Select(n => n?.ToJsonString()));
                var code = last switch { "kind" => UnknownKind, "unit" => UnknownUnit, _ => InvalidValue };
                r.Error(path, code, $"{last} 取值必须是 {allowed} 之一（现为 {Raw(instance)}）。",
                    $"{last} must be one of {allowed.Replace("、", ", ", StringComparison.Ordinal)} (is {Raw(instance)}).");
                return;
            case "type":
                var type = schema?["type"]?.ToJsonString() ?? "?";
                r.Error(path, InvalidValue, $"类型不对：应为 {TypeZh(type)}（现为 {instance.ValueKind}）。", $"Wrong type: {type} expected. {message}");
                return;
            case "pattern":
                var form = (schema?["pattern"]?.GetValue<string>()) switch
                {
                    "^[a-z][a-z0-9]*(-[a-z0-9]+)*$" => "kebab-case（如 standard-subsidy）",
                    "^[A-Z][A-Za-z0-9]{0,63}$" => "PascalCase 标识符",
                    _ => "非空文本",
                };
                r.Error(path, InvalidValue, $"{Raw(instance)} 格式不对，应为 {form}。", $"{Raw(instance)} does not have the expected form ({schema?["pattern"]}).");
                return;
            case "minimum":
                var min = schema?["minimum"]?.ToJsonString() ?? "?";
                r.Error(path, last == "amount" ? InvalidTimeLimit : InvalidValue,
                    $"{last} 必须不小于 {min}（现为 {Raw(instance)}）。", $"{last} must be at least {min} (is {Raw(instance)}).");
                return;
            case "minItems" or "minLength":
                r.Error(path, InvalidValue, $"{last} 不能为空。", $"{last} must not be empty.");
                return;
            case "uniqueItems":
                r.Error(path, InvalidValue, $"{last} 中有重复的名称。", $"{last} lists a name twice. {message}");
                return;
            default:
                r.Error(path, InvalidValue, $"不符合定义格式（{keyword}）：{message}", message);
                return;
        }
    }

    private static string Raw(JsonElement e) => e.ValueKind == JsonValueKind.Undefined ? "?" : e.GetRawText();

    private static string TypeZh(string type) => type
        .Replace("\"string\"", "字符串", StringComparison.Ordinal).Replace("\"integer\"", "整数", StringComparison.Ordinal)
        .Replace("\"boolean\"", "true 或 false", StringComparison.Ordinal).Replace("\"array\"", "数组", StringComparison.Ordinal)
        .Replace("\"object\"", "对象", StringComparison.Ordinal).Replace("\"null\"", "null", StringComparison.Ordinal);

    private static string LastName(string path)
    {
        var dot = path.LastIndexOf('.');
        var name = dot < 0 ? path : path[(dot + 1)..];
        var bracket = name.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? name : name[..bracket];
    }

    /// <summary>Turns a JSON Pointer into the loader's <c>$.a[0].b</c> path, walking the instance so array indexes and property names are told apart.</summary>
    private static (string Path, JsonElement Element) Locate(JsonElement root, string pointer)
    {
        var path = "$";
        var e = root;
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (e.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < e.GetArrayLength())
            {
                path += $"[{i}]";
                e = e[i];
            }
            else
            {
                path += $".{segment}";
                e = e.ValueKind == JsonValueKind.Object && e.TryGetProperty(segment, out var child) ? child : default;
            }
        }

        return (path, e);
    }

    /// <summary>The subschema a result came from, found by its location's fragment in the published schema.</summary>
    private static JsonNode? SchemaAt(Uri location)
    {
        var node = SchemaNode;
        foreach (var raw in Uri.UnescapeDataString(location.Fragment.TrimStart('#')).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(segment, out var child) => child,
                JsonArray a when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }
}
