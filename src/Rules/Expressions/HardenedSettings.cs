using RulesEngine.Actions;
using RulesEngine.Models;

namespace OneCard.Rules.Expressions;

/// <summary>The one RulesEngine configuration OneCard uses; see reference/reliability-security.md §1.</summary>
public static class HardenedSettings
{
    /// <summary>A fresh <see cref="ReSettings"/> with every hardening switch set (callers must not share and mutate one).</summary>
    public static ReSettings Create() => new()
    {
        // Only the static helper class; its base type (object) is refused by ExpressionGate.
        CustomTypes = [typeof(Fn)],
        // Inputs are individual typed facts, never an object whose methods would become callable.
        AutoRegisterInputType = false,
        IsExpressionCaseSensitive = true,
        // A rule exception must surface (we turn it into Faulted), never be swallowed.
        IgnoreException = false,
        EnableExceptionAsErrorMessage = true,
        // If false, a parse error silently evaluates to false, i.e. "not eligible".
        EnableExceptionAsErrorMessageForRuleExpressionParsing = true,
        // No actions: OutputExpression/EvaluateRule would return expression values (an exfiltration channel).
        AutoExecuteActions = false,
        CustomActions = new Dictionary<string, Func<ActionBase>>(),
        // No global/local params: every expression the engine runs is one the gate checked.
        EnableScopedParams = false,
        // Messages come from our envelope, not from $(...) placeholders filled by reflection.
        EnableFormattedErrorMessage = false,
    };
}
