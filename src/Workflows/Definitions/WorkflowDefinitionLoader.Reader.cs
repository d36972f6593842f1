using System.Text.Json;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows;

// The JSON walk of WorkflowDefinitionLoader, run only on text the schema accepted (so types, required properties,
// enums and name forms hold): reads the drafts and checks the step-kind rules and reserved names a schema does not
// express. Whole-graph checks are in DefinitionGraph.
public static partial class WorkflowDefinitionLoader
{
    /// <summary>Collects errors while walking the JSON.</summary>
    internal sealed class Reader(string source)
    {
        public List<WorkflowDefinitionError> Errors { get; } = [];

        public void Error(string path, string code, string zh, string en) => Errors.Add(new WorkflowDefinitionError(source, path, code, zh, en));

        public DefinitionDraft ReadRoot(JsonElement root)
        {
            var draft = new DefinitionDraft
            {
                DefinitionId = root.GetProperty("definitionId").GetString(),
                Version = root.GetProperty("version").GetInt32(),
                TitleZh = root.GetProperty("titleZh").GetString(),
                TitleEn = root.GetProperty("titleEn").GetString(),
                InitialStep = root.GetProperty("initialStep").GetString(),
            };

            var i = 0;
            foreach (var step in root.GetProperty("steps").EnumerateArray())
            {
                draft.Steps.Add(ReadStep(step, i++));
            }

            i = 0;
            foreach (var transition in root.GetProperty("transitions").EnumerateArray())
            {
                draft.Transitions.Add(ReadTransition(transition, i++));
            }

            return draft;
        }

        private StepDraft ReadStep(JsonElement e, int index)
        {
            var path = $"$.steps[{index}]";
            var draft = new StepDraft
            {
                Index = index,
                Path = path,
                Name = e.GetProperty("name").GetString(),
                Kind = Enum.Parse<StepKind>(e.GetProperty("kind").GetString()!),
                Role = Optional(e, "role"),
                TimeLimit = ReadTimeLimit(e, "timeLimit"),
                RemindBefore = ReadTimeLimit(e, "remindBefore"),
                TitleZh = e.GetProperty("titleZh").GetString(),
                TitleEn = e.GetProperty("titleEn").GetString(),
                OnEnter = NameList(e, "onEnter"),
                LineActions = NameList(e, "lineActions"),
                Parameters = e.TryGetProperty("parameters", out var p)
                    ? p.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetString()!, StringComparer.Ordinal)
                    : [],
                SeparateFrom = NameList(e, "separateFrom"),
                Escalate = ReadEscalation(e),
                Branches = NameList(e, "branches"),
                AllowsLineCorrections = e.TryGetProperty("allowsLineCorrections", out var c) && c.GetBoolean(),
            };

            if (draft.Name == WorkflowDefinition.Submission)
            {
                Error($"{path}.name", InvalidValue, $"步骤名 {WorkflowDefinition.Submission} 保留给申报提交。", $"The step name {WorkflowDefinition.Submission} is reserved for the submission.");
            }

            if (draft.Role == Actor.SystemRole)
            {
                Error($"{path}.role", ReservedRole, "角色名 System 保留给系统。", "The role name System is reserved for the system actor.");
            }

            if (draft.AllowsLineCorrections && draft.Kind != StepKind.Human)
            {
                Error($"{path}.allowsLineCorrections", InvalidValue, "只有人工步骤可以允许更正明细。", "Only a Human step may allow line corrections.");
            }

            switch (draft.Kind)
            {
                case StepKind.Human when draft.Role is null:
                    Error($"{path}.role", MissingRole, "人工步骤必须指定角色。", "A Human step needs a role.");
                    break;
                case StepKind.Parallel when draft.Role is not null:
                    Error($"{path}.role", InvalidValue, "并行步骤不能指定角色（各分支步骤有自己的角色）。", "A Parallel step has no role (each branch step has its own).");
                    break;
                case StepKind.Final when draft.Role is not null:
                    Error($"{path}.role", InvalidValue, "终止步骤不能指定角色。", "A Final step has no role.");
                    break;
            }

            if (draft.Kind is StepKind.Human or StepKind.Timer && draft.TimeLimit is null)
            {
                Error($"{path}.timeLimit", MissingTimeLimit, $"{draft.Kind} 步骤必须有时限。", $"A {draft.Kind} step needs a time limit.");
            }

            if (draft.Kind == StepKind.Parallel && draft.Branches.Count < 2)
            {
                Error($"{path}.branches", InvalidParallel, "并行步骤至少要有两个分支。", "A Parallel step needs at least two branches.");
            }
            else if (draft.Kind != StepKind.Parallel && draft.Branches.Count > 0)
            {
                Error($"{path}.branches", InvalidParallel, "只有并行步骤可以声明分支。", "Only a Parallel step may declare branches.");
            }

            if (draft.Kind == StepKind.Parallel && (draft.TimeLimit is not null || draft.RemindBefore is not null))
            {
                Error($"{path}.timeLimit", InvalidTimeLimit, "并行步骤没有自己的时限，时限写在各分支步骤上。", "A Parallel step has no time limit of its own; each branch has one.");
            }

            if (draft.Kind == StepKind.Final && (draft.TimeLimit is not null || draft.RemindBefore is not null))
            {
                Error($"{path}.timeLimit", InvalidTimeLimit, "终止步骤没有时限。", "A Final step has no time limit.");
            }

            if (draft.RemindBefore is { } remind)
            {
                if (draft.TimeLimit is not { } limit)
                {
                    Error($"{path}.remindBefore", InvalidTimeLimit, "没有时限就不能设置提醒。", "remindBefore needs a timeLimit.");
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

            CheckEscalation(draft, path);
            return draft;
        }

        // The schema fixes the escalation's shape; what it cannot say: only a step someone waits on with a time limit
        // escalates — a Human step's task, or a System step waiting for an outside party (the bank's results) — (there is
        // nothing to be overdue otherwise; a Timer step moves by itself at its due time), and only to a role someone can hold.
        private void CheckEscalation(StepDraft draft, string path)
        {
            if (draft.Escalate is not { } escalate)
            {
                return;
            }

            if (draft.Kind is not (StepKind.Human or StepKind.System))
            {
                Error($"{path}.escalate", InvalidEscalation, "只有人工步骤和系统步骤可以设置上报（escalate）。", "Only a Human or System step escalates.");
            }
            else if (draft.TimeLimit is null)
            {
                Error($"{path}.escalate", InvalidEscalation, "没有时限就不能设置上报（escalate）。", "escalate needs a timeLimit.");
            }

            if (!Escalation.KnownRoles.Contains(escalate.ToRole))
            {
                Error($"{path}.escalate.toRole", InvalidEscalation,
                    $"上报角色 {escalate.ToRole} 不存在，应为 {string.Join("、", Escalation.KnownRoles.Order(StringComparer.Ordinal))} 之一。",
                    $"Unknown escalation role {escalate.ToRole}.");
            }
        }

        private TransitionDraft ReadTransition(JsonElement e, int index)
        {
            var path = $"$.transitions[{index}]";
            var draft = new TransitionDraft
            {
                Index = index,
                Path = path,
                From = e.GetProperty("from").GetString(),
                Action = e.GetProperty("action").GetString(),
                To = e.GetProperty("to").GetString(),
                Role = Optional(e, "role"),
                Guard = Optional(e, "guard"),
                CommentRequired = e.TryGetProperty("commentRequired", out var c) && c.GetBoolean(),
            };

            if (draft.Role == Actor.SystemRole)
            {
                Error($"{path}.role", ReservedRole, "角色名 System 保留给系统；系统动作请写 null。", "The role name System is reserved; write null for a system-only action.");
            }

            return draft;
        }

        private static string? Optional(JsonElement owner, string name) =>
            owner.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static TimeLimit? ReadTimeLimit(JsonElement owner, string name) =>
            owner.TryGetProperty(name, out var e)
                ? new TimeLimit(e.GetProperty("amount").GetInt32(), Enum.Parse<TimeUnit>(e.GetProperty("unit").GetString()!))
                : null;

        private static Escalation? ReadEscalation(JsonElement step) =>
            step.TryGetProperty("escalate", out var e)
                ? new Escalation(ReadTimeLimit(e, "after")!, e.GetProperty("toRole").GetString()!, Enum.Parse<EscalationLevel>(e.GetProperty("toLevel").GetString()!))
                : null;

        private static List<string> NameList(JsonElement owner, string name) =>
            owner.TryGetProperty(name, out var e) ? [.. e.EnumerateArray().Select(x => x.GetString()!)] : [];
    }
}
