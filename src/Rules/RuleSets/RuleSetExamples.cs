using OneCard.Rules.Evaluation;

namespace OneCard.Rules.RuleSets;

/// <summary>One example line of a rule set with its expected outcome (<c>examples[i]</c>).</summary>
/// <param name="Name">What the example shows, e.g. 八十岁老人按第一档.</param>
/// <param name="Facts">The supplied facts, already parsed with <c>FactValues.Parse</c>.</param>
/// <param name="Expect">What evaluating them must give.</param>
public sealed record RuleSetExample(string Name, IReadOnlyDictionary<string, object?> Facts, ExampleExpectation Expect);

/// <summary>The expected result of an example.</summary>
/// <param name="Outcome">Eligible, Ineligible or Faulted.</param>
/// <param name="Amount">For Eligible, the expected amount in yuan, when stated.</param>
/// <param name="FailedRules">When stated, exactly the rules that must fail (in any order).</param>
/// <param name="FaultCode">For Faulted, the expected <see cref="FaultCodes"/> code, when stated.</param>
public sealed record ExampleExpectation(EvaluationOutcome Outcome, decimal? Amount, IReadOnlyList<string>? FailedRules, string? FaultCode);

/// <summary>The result of running one example.</summary>
/// <param name="Index">Its position in <c>examples</c>.</param>
/// <param name="Name">Its name.</param>
/// <param name="Passed">True when both evaluation paths gave what was expected.</param>
/// <param name="Mismatches">Each difference, located, in Chinese, e.g. <c>examples[2].expect.amount：期望 100.00，实为 200.00</c>.</param>
/// <param name="Evaluation">What evaluating the example gave.</param>
public sealed record ExampleResult(int Index, string Name, bool Passed, IReadOnlyList<string> Mismatches, ClaimEvaluation Evaluation);

/// <summary>Runs a rule set's examples: the test bench every save and every start-up runs.</summary>
public static class RuleSetExamples
{
    // Generous: an example is about the decision, and a start-up or a save may share the machine with other work.
    private static readonly RuleEvaluatorOptions Options = new() { TimeBudgetPerLine = TimeSpan.FromSeconds(10) };

    /// <summary>Evaluates every example through both paths (RulesEngine and the compiled one) and compares with its
    /// expectation; a difference between the two paths is a mismatch too.</summary>
    public static IReadOnlyList<ExampleResult> Run(RuleSet ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        if (ruleSet.Examples.Count == 0)
        {
            return [];
        }

        // A fresh evaluator: its compiled delegates are for this text only (a draft saved again is a new text).
        var evaluator = new RuleEvaluator(Options);
        var compiled = evaluator.EvaluateMany(ruleSet, [.. ruleSet.Examples.Select(e => e.Facts)]);
        var results = new List<ExampleResult>(ruleSet.Examples.Count);
        for (var i = 0; i < ruleSet.Examples.Count; i++)
        {
            var example = ruleSet.Examples[i];
            var engine = evaluator.Evaluate(ruleSet, example.Facts);
            var mismatches = Compare($"examples[{i}]", example.Expect, engine);
            if (!SameDecision(engine, compiled[i]))
            {
                mismatches.Add($"examples[{i}]：两条评估路径结果不同（规则引擎：{Describe(engine)}；编译路径：{Describe(compiled[i])}）");
            }

            results.Add(new ExampleResult(i, example.Name, mismatches.Count == 0, mismatches, engine));
        }

        return results;
    }

    /// <summary>The failing examples as located validation errors (what a save or the catalog refuses).</summary>
    public static IReadOnlyList<RuleSetValidationError> Problems(RuleSet ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        return [.. Run(ruleSet).Where(r => !r.Passed).SelectMany(r => r.Mismatches.Select(m =>
        {
            var split = m.IndexOf('：', StringComparison.Ordinal);
            return new RuleSetValidationError(ruleSet.Source, m[..split], $"示例“{r.Name}”未通过：{m[(split + 1)..]}",
                $"example \"{r.Name}\" failed: {m[(split + 1)..]}");
        }))];
    }

    private static List<string> Compare(string path, ExampleExpectation expect, ClaimEvaluation actual)
    {
        var mismatches = new List<string>();
        if (actual.Outcome != expect.Outcome)
        {
            var why = actual.Outcome switch
            {
                EvaluationOutcome.Faulted => $"（{actual.Fault}）",
                EvaluationOutcome.Ineligible => $"（未通过：{string.Join("、", actual.FailedRules.Select(r => r.RuleName))}）",
                _ => actual.Amount is { } a ? $"（金额 {RuleSetLoader.Money(a)}）" : "",
            };
            mismatches.Add($"{path}.expect.outcome：期望 {expect.Outcome}，实为 {actual.Outcome}{why}");
            return mismatches;
        }

        if (expect.Amount is { } amount && actual.Amount != amount)
        {
            mismatches.Add($"{path}.expect.amount：期望 {RuleSetLoader.Money(amount)}，实为 {(actual.Amount is { } a ? RuleSetLoader.Money(a) : "无金额")}");
        }

        if (expect.FailedRules is { } rules)
        {
            var failed = actual.FailedRules.Select(r => r.RuleName).ToList();
            if (!failed.Order(StringComparer.Ordinal).SequenceEqual(rules.Order(StringComparer.Ordinal)))
            {
                mismatches.Add($"{path}.expect.failedRules：期望 [{string.Join("、", rules)}]，实为 [{string.Join("、", failed)}]");
            }
        }

        if (expect.FaultCode is { } code && actual.FaultCode != code)
        {
            mismatches.Add($"{path}.expect.faultCode：期望 {code}，实为 {actual.FaultCode}（{actual.Fault}）");
        }

        return mismatches;
    }

    private static bool SameDecision(ClaimEvaluation a, ClaimEvaluation b) =>
        a.Outcome == b.Outcome && a.Amount == b.Amount && a.FaultCode == b.FaultCode
        && a.FailedRules.Select(r => r.RuleName).SequenceEqual(b.FailedRules.Select(r => r.RuleName));

    private static string Describe(ClaimEvaluation e) =>
        $"{e.Outcome}{(e.Amount is { } a ? " " + RuleSetLoader.Money(a) : "")}{(e.FaultCode is { } c ? " " + c : "")}";
}
