using System.Text.Json;
using System.Text.RegularExpressions;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows;

// The JSON walk of WorkflowDefinitionLoader: per-element checks with JSON paths. Whole-graph checks are in DefinitionGraph.
public static partial class WorkflowDefinitionLoader
{
    [GeneratedRegex("^[A-Z][A-Za-z0-9]{0,63}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex DefinitionIdPattern();

    [GeneratedRegex("^[a-z][A-Za-z0-9]{0,63}$")]
    private static partial Regex ParameterKeyPattern();

    /// <summary>Collects errors while walking the JSON; yields drafts whose fields are null where invalid.</summary>
    internal sealed class Reader(string source)
    {
        public List<WorkflowDefinitionError> Errors { get; } = [];

        public void Error(string path, string code, string zh, string en) => Errors.Add(new WorkflowDefinitionError(source, path, code, zh, en));

        public DefinitionDraft? ReadRoot(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error("$", InvalidValue, "定义必须是 JSON 对象。", "The definition must be a JSON object.");
                return null;
            }

            CheckProperties(root, "$", RootProperties);
            var id = RequiredString(root, "definitionId", "$", DefinitionIdPattern(), "kebab-case, e.g. standard-subsidy");
            int? version = null;
            if (Required(root, "version", "$") is { } v)
            {
                if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 1)
                {
                    version = n;
                }
                else
                {
                    Error("$.version", InvalidValue, "version 必须是不小于 1 的整数。", "version must be an integer of at least 1.");
                }
            }

            var draft = new DefinitionDraft
            {
                DefinitionId = id,
                Version = version,
                TitleZh = RequiredString(root, "titleZh", "$"),
                TitleEn = RequiredString(root, "titleEn", "$"),
                InitialStep = RequiredString(root, "initialStep", "$", IdentifierPattern(), "PascalCase"),
            };

            if (RequiredArray(root, "steps", "$") is { } steps)
            {
                if (steps.GetArrayLength() == 0)
                {
                    Error("$.steps", InvalidValue, "steps 不能为空。", "steps must not be empty.");
                }

                var i = 0;
                foreach (var step in steps.EnumerateArray())
                {
                    draft.Steps.Add(ReadStep(step, i++));
                }
            }

            if (RequiredArray(root, "transitions", "$") is { } transitions)
            {
                var i = 0;
                foreach (var transition in transitions.EnumerateArray())
                {
                    draft.Transitions.Add(ReadTransition(transition, i++));
                }
            }

            return draft;
        }

        private StepDraft ReadStep(JsonElement e, int index)
        {
            var path = $"$.steps[{index}]";
            var draft = new StepDraft { Index = index, Path = path };
            if (!IsObject(e, path))
            {
                return draft;
            }

            CheckProperties(e, path, StepProperties);
            draft.Name = RequiredString(e, "name", path, IdentifierPattern(), "PascalCase");
            draft.Kind = RequiredEnum<StepKind>(e, "kind", path, UnknownKind);
            draft.Role = OptionalString(e, "role", path, IdentifierPattern(), "PascalCase");
            draft.TimeLimit = ReadTimeLimit(e, "timeLimit", path);
            draft.RemindBefore = ReadTimeLimit(e, "remindBefore", path);
            draft.TitleZh = RequiredString(e, "titleZh", path);
            draft.TitleEn = RequiredString(e, "titleEn", path);
            draft.OnEnter = NameList(e, "onEnter", path);
            draft.LineActions = NameList(e, "lineActions", path);
            draft.Parameters = ReadParameters(e, path);
            draft.SeparateFrom = NameList(e, "separateFrom", path);
            if (draft.Name == WorkflowDefinition.Submission)
            {
                Error($"{path}.name", InvalidValue, $"步骤名 {WorkflowDefinition.Submission} 保留给申报提交。", $"The step name {WorkflowDefinition.Submission} is reserved for the submission.");
            }

            if (draft.Role == Actor.SystemRole)
            {
                Error($"{path}.role", ReservedRole, "角色名 System 保留给系统。", "The role name System is reserved for the system actor.");
            }

            switch (draft.Kind)
            {
                case StepKind.Human when !Has(e, "role"):
                    Error($"{path}.role", MissingRole, "人工步骤必须指定角色。", "A Human step needs a role.");
                    break;
                case StepKind.Final when Has(e, "role"):
                    Error($"{path}.role", InvalidValue, "终止步骤不能指定角色。", "A Final step has no role.");
                    break;
            }

            if (draft.Kind is StepKind.Human or StepKind.Timer && !Has(e, "timeLimit"))
            {
                Error($"{path}.timeLimit", MissingTimeLimit, $"{draft.Kind} 步骤必须有时限。", $"A {draft.Kind} step needs a time limit.");
            }

            if (draft.Kind == StepKind.Final && (Has(e, "timeLimit") || Has(e, "remindBefore")))
            {
                Error($"{path}.timeLimit", InvalidTimeLimit, "终止步骤没有时限。", "A Final step has no time limit.");
            }

            if (draft.RemindBefore is { } remind)
            {
                if (draft.TimeLimit is not { } limit)
                {
                    if (!Has(e, "timeLimit"))
                    {
                        Error($"{path}.remindBefore", InvalidTimeLimit, "没有时限就不能设置提醒。", "remindBefore needs a timeLimit.");
                    }
                }
                else if (remind.Unit != limit.Unit)
                {
                    Error($"{path}.remindBefore.unit", InvalidTimeLimit, "提醒的单位必须与时限相同。", "remindBefore must use the same unit as timeLimit.");
                }
                else if (remind.Amount >= limit.Amount)
                {
                    Error($"{path}.remindBefore.amount", InvalidTimeLimit, "提醒必须短于时限。", "remindBefore must be shorter than timeLimit.");
                }
            }

            return draft;
        }

        private TransitionDraft ReadTransition(JsonElement e, int index)
        {
            var path = $"$.transitions[{index}]";
            var draft = new TransitionDraft { Index = index, Path = path };
            if (!IsObject(e, path))
            {
                return draft;
            }

            CheckProperties(e, path, TransitionProperties);
            draft.From = RequiredString(e, "from", path, IdentifierPattern(), "PascalCase");
            draft.Action = RequiredString(e, "action", path, IdentifierPattern(), "PascalCase");
            draft.To = RequiredString(e, "to", path, IdentifierPattern(), "PascalCase");
            if (!e.TryGetProperty("role", out _))
            {
                Error($"{path}.role", MissingProperty, "必须写明 role；系统动作写 null。", "role is required; write null for a system-only action.");
            }

            draft.Role = OptionalString(e, "role", path, IdentifierPattern(), "PascalCase");
            if (draft.Role == Actor.SystemRole)
            {
                Error($"{path}.role", ReservedRole, "角色名 System 保留给系统；系统动作请写 null。", "The role name System is reserved; write null for a system-only action.");
            }

            draft.Guard = OptionalString(e, "guard", path, IdentifierPattern(), "PascalCase");
            if (e.TryGetProperty("commentRequired", out var c))
            {
                if (c.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    draft.CommentRequired = c.GetBoolean();
                }
                else
                {
                    Error($"{path}.commentRequired", InvalidValue, "commentRequired 必须是 true 或 false。", "commentRequired must be true or false.");
                }
            }

            return draft;
        }

        private TimeLimit? ReadTimeLimit(JsonElement owner, string name, string ownerPath)
        {
            var path = $"{ownerPath}.{name}";
            if (!owner.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null || !IsObject(e, path))
            {
                return null;
            }

            CheckProperties(e, path, TimeLimitProperties);
            int? amount = null;
            if (Required(e, "amount", path) is { } a)
            {
                if (a.ValueKind == JsonValueKind.Number && a.TryGetInt32(out var n))
                {
                    if (n >= 1)
                    {
                        amount = n;
                    }
                    else
                    {
                        Error($"{path}.amount", InvalidTimeLimit, $"天数必须不小于 1（现为 {n}）。", $"amount must be at least 1 (is {n}).");
                    }
                }
                else
                {
                    Error($"{path}.amount", InvalidValue, "amount 必须是整数。", "amount must be an integer.");
                }
            }

            var unit = RequiredEnum<TimeUnit>(e, "unit", path, UnknownUnit);
            return amount is { } am && unit is { } u ? new TimeLimit(am, u) : null;
        }

        private List<string> NameList(JsonElement owner, string name, string ownerPath)
        {
            var path = $"{ownerPath}.{name}";
            var names = new List<string>();
            if (!owner.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
            {
                return names;
            }

            if (e.ValueKind != JsonValueKind.Array)
            {
                Error(path, InvalidValue, $"{name} 必须是字符串数组。", $"{name} must be an array of names.");
                return names;
            }

            var i = 0;
            foreach (var item in e.EnumerateArray())
            {
                var itemPath = $"{path}[{i++}]";
                if (item.ValueKind != JsonValueKind.String || !IdentifierPattern().IsMatch(item.GetString()!))
                {
                    Error(itemPath, InvalidValue, "名称必须是 PascalCase 标识符。", "Each name must be a PascalCase identifier.");
                }
                else if (names.Contains(item.GetString()!))
                {
                    Error(itemPath, InvalidValue, $"名称 {item.GetString()} 重复。", $"Name {item.GetString()} is listed twice.");
                }
                else
                {
                    names.Add(item.GetString()!);
                }
            }

            return names;
        }

        private Dictionary<string, string> ReadParameters(JsonElement owner, string ownerPath)
        {
            var path = $"{ownerPath}.parameters";
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!owner.TryGetProperty("parameters", out var e) || e.ValueKind == JsonValueKind.Null || !IsObject(e, path))
            {
                return parameters;
            }

            foreach (var p in e.EnumerateObject())
            {
                var itemPath = $"{path}.{p.Name}";
                if (!ParameterKeyPattern().IsMatch(p.Name))
                {
                    Error(itemPath, InvalidValue, "参数名必须是 camelCase 标识符。", "A parameter name must be a camelCase identifier.");
                }
                else if (p.Value.ValueKind != JsonValueKind.String)
                {
                    Error(itemPath, InvalidValue, "参数值必须是字符串（如 \"0.1\"）。", "A parameter value must be a string (e.g. \"0.1\").");
                }
                else if (!parameters.TryAdd(p.Name, p.Value.GetString()!))
                {
                    Error(itemPath, InvalidValue, "参数名重复。", "Parameter given twice.");
                }
            }

            return parameters;
        }

        private void CheckProperties(JsonElement e, string path, string[] allowed)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in e.EnumerateObject())
            {
                if (!seen.Add(p.Name))
                {
                    Error($"{path}.{p.Name}", InvalidValue, $"属性 {p.Name} 重复。", $"Property {p.Name} appears twice.");
                }
                else if (!allowed.Contains(p.Name, StringComparer.Ordinal))
                {
                    Error($"{path}.{p.Name}", UnknownProperty, $"未知属性 {p.Name}（允许：{string.Join("、", allowed)}）。", $"Unknown property {p.Name} (allowed: {string.Join(", ", allowed)}).");
                }
            }
        }

        private bool IsObject(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            Error(path, InvalidValue, "此处应为 JSON 对象。", "A JSON object is expected here.");
            return false;
        }

        private static bool Has(JsonElement owner, string name) =>
            owner.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        private JsonElement? Required(JsonElement owner, string name, string ownerPath)
        {
            if (owner.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null)
            {
                return v;
            }

            Error($"{ownerPath}.{name}", MissingProperty, $"缺少必填属性 {name}。", $"Required property {name} is missing.");
            return null;
        }

        private JsonElement? RequiredArray(JsonElement owner, string name, string ownerPath)
        {
            if (Required(owner, name, ownerPath) is not { } v)
            {
                return null;
            }

            if (v.ValueKind == JsonValueKind.Array)
            {
                return v;
            }

            Error($"{ownerPath}.{name}", InvalidValue, $"{name} 必须是数组。", $"{name} must be an array.");
            return null;
        }

        private string? RequiredString(JsonElement owner, string name, string ownerPath, Regex? pattern = null, string? form = null) =>
            Required(owner, name, ownerPath) is { } v ? AsString(v, $"{ownerPath}.{name}", pattern, form) : null;

        private string? OptionalString(JsonElement owner, string name, string ownerPath, Regex pattern, string form) =>
            owner.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? AsString(v, $"{ownerPath}.{name}", pattern, form) : null;

        private string? AsString(JsonElement v, string path, Regex? pattern, string? form)
        {
            var s = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (string.IsNullOrWhiteSpace(s))
            {
                Error(path, InvalidValue, "此处应为非空字符串。", "A non-empty string is expected here.");
                return null;
            }

            if (pattern is not null && !pattern.IsMatch(s))
            {
                Error(path, InvalidValue, $"\"{s}\" 格式不对，应为 {form}。", $"\"{s}\" is not {form}.");
                return null;
            }

            return s;
        }

        private TEnum? RequiredEnum<TEnum>(JsonElement owner, string name, string ownerPath, string code)
            where TEnum : struct, Enum
        {
            if (Required(owner, name, ownerPath) is not { } v)
            {
                return null;
            }

            // Exact names only: Enum.TryParse would also take "1" or "Human, Timer".
            var s = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (s is not null && Enum.GetNames<TEnum>().Contains(s, StringComparer.Ordinal))
            {
                return Enum.Parse<TEnum>(s);
            }

            var allowed = string.Join(", ", Enum.GetNames<TEnum>());
            Error($"{ownerPath}.{name}", code, $"未知的 {name} {v.GetRawText()}（允许：{allowed}）。", $"Unknown {name} {v.GetRawText()} (allowed: {allowed}).");
            return null;
        }
    }
}
