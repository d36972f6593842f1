using OneCard.Workflows;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>One name a definition uses that no registered class implements, with where it is.</summary>
/// <param name="VersionKey">The definition, e.g. "standard-subsidy@3".</param>
/// <param name="File">The file the catalog loads it from, e.g. "standard-subsidy.v3.json".</param>
/// <param name="Path">Where in the file, e.g. "transitions[8].guard" or "steps[3].onEnter[0]".</param>
/// <param name="Name">The unknown name.</param>
/// <param name="Suggestion">The registered name it is closest to, if one is close; else null.</param>
public sealed record VocabularyError(string VersionKey, string File, string Path, string Name, string? Suggestion, string MessageZh, string MessageEn)
{
    public override string ToString() => $"{MessageZh} / {MessageEn}";
}

/// <summary>A definition names a guard, effect or line action the host does not have; the host does not start.</summary>
public sealed class WorkflowVocabularyException(IReadOnlyList<VocabularyError> errors) : InvalidOperationException(
    $"流程定义使用了未注册的名称（{errors.Count} 处），服务不启动 / Workflow definitions use {errors.Count} unregistered name(s); the host does not start:"
    + Environment.NewLine + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<VocabularyError> Errors { get; } = errors;
}

/// <summary>
/// Checks every name a definition uses (transition guards, steps' onEnter and lineActions) against the registered
/// vocabulary when the host starts, so a misspelt name is a located error at load instead of a 500 at run time.
/// </summary>
public sealed class WorkflowVocabularyCheck(CaseVocabulary vocabulary)
{
    /// <exception cref="WorkflowVocabularyException">Any definition uses an unregistered name; all of them are listed.</exception>
    public void EnsureKnown(IEnumerable<WorkflowDefinition> definitions)
    {
        var errors = Find(definitions);
        if (errors.Count > 0) throw new WorkflowVocabularyException(errors);
    }

    /// <summary>Every unregistered name, in definition then file order.</summary>
    public IReadOnlyList<VocabularyError> Find(IEnumerable<WorkflowDefinition> definitions)
    {
        var errors = new List<VocabularyError>();
        foreach (var definition in definitions)
        {
            var file = $"{definition.DefinitionId}.v{definition.Version}.json";
            for (var s = 0; s < definition.Steps.Count; s++)
            {
                var step = definition.Steps[s];
                for (var i = 0; i < step.OnEnter.Count; i++)
                    Check(step.OnEnter[i], vocabulary.Effects, $"steps[{s}].onEnter[{i}]", $"步骤 {step.Name} 的 onEnter[{i}]", $"step {step.Name}", "effect");
                for (var i = 0; i < step.LineActions.Count; i++)
                    Check(step.LineActions[i], vocabulary.LineActions, $"steps[{s}].lineActions[{i}]", $"步骤 {step.Name} 的 lineActions[{i}]", $"step {step.Name}", "line action");
            }
            for (var t = 0; t < definition.Transitions.Count; t++)
            {
                var transition = definition.Transitions[t];
                if (transition.Guard is { } guard)
                    Check(guard, vocabulary.Guards, $"transitions[{t}].guard", $"第{t + 1}条转移（{transition.From} —{transition.Action}→ {transition.To}）的 guard",
                        $"transition {t + 1} ({transition.From} -{transition.Action}-> {transition.To})", "guard");
            }

            void Check(string name, IReadOnlyCollection<string> known, string path, string whereZh, string whereEn, string kindEn)
            {
                if (known.Contains(name)) return;
                var suggestion = Closest(name, known);
                var hintZh = suggestion is null ? "" : $"（是否应为 {suggestion}？）";
                var hintEn = suggestion is null ? "" : $" (did you mean {suggestion}?)";
                errors.Add(new VocabularyError(definition.VersionKey, file, path, name, suggestion,
                    $"流程定义 {definition.VersionKey}（{file}）{whereZh} “{name}” 未注册{hintZh}",
                    $"Workflow {definition.VersionKey} ({file}) {path}, {whereEn}: {kindEn} '{name}' is not registered{hintEn}."));
            }
        }
        return errors;
    }

    /// <summary>The registered name within a few edits of <paramref name="name"/> (ignoring case), if any.</summary>
    internal static string? Closest(string name, IEnumerable<string> known)
    {
        var limit = Math.Max(2, name.Length / 4);
        return known.Select(k => (Name: k, Distance: Distance(name.ToUpperInvariant(), k.ToUpperInvariant())))
            .Where(c => c.Distance <= limit).OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name).FirstOrDefault();
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
