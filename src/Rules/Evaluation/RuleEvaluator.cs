using System.Collections.Concurrent;
using System.Linq.Expressions;
using OneCard.Domain.Money;
using OneCard.Rules.Expressions;
using OneCard.Rules.RuleSets;
using RulesEngine.ExpressionBuilders;
using RulesEngine.Models;

namespace OneCard.Rules.Evaluation;

/// <summary>Options of <see cref="RuleEvaluator"/>.</summary>
public sealed record RuleEvaluatorOptions
{
    /// <summary>The most time one line may take before it is Faulted with <see cref="FaultCodes.Timeout"/>.</summary>
    public TimeSpan TimeBudgetPerLine { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>Evaluates claim lines against a rule set. Thread-safe; register one instance as a singleton.</summary>
/// <remarks>
/// Two paths over the same validated rule set. <see cref="Evaluate"/> runs the eligibility rules through Microsoft
/// RulesEngine (one engine per rule set version, hardened settings), which re-parses the gate-approved text with the
/// same parser and settings. <see cref="EvaluateMany"/> compiles, once per version, exactly the expression trees the
/// gate approved at load and calls them as delegates, skipping RulesEngine's per-call overhead for large rosters.
/// Both share fact binding, the outcome rules and rounding; tests hold them equal line by line.
/// </remarks>
public sealed class RuleEvaluator
{
    private const string EngineErrorPrefix = "Error while executing rule : ";

    private readonly RuleEvaluatorOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<Prepared>> _prepared = new(StringComparer.Ordinal);

    /// <summary>Creates an evaluator.</summary>
    public RuleEvaluator(RuleEvaluatorOptions? options = null) => _options = options ?? new RuleEvaluatorOptions();

    /// <summary>Evaluates one claim line through RulesEngine, under the time budget.</summary>
    /// <param name="ruleSet">A loaded rule set.</param>
    /// <param name="facts">The line's facts by declared name; lookup facts (rates) must not be supplied.</param>
    public ClaimEvaluation Evaluate(RuleSet ruleSet, IReadOnlyDictionary<string, object?> facts)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        ArgumentNullException.ThrowIfNull(facts);
        var prepared = Prepare(ruleSet);
        return Watchdog.Run(1, _ => EvaluateWithEngine(ruleSet, prepared, facts), _ => TimedOut(ruleSet), _options.TimeBudgetPerLine)[0];
    }

    /// <summary>Evaluates many lines of one rule set through the compiled fast path; results are in input order.</summary>
    public IReadOnlyList<ClaimEvaluation> EvaluateMany(RuleSet ruleSet, IReadOnlyList<IReadOnlyDictionary<string, object?>> facts)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        ArgumentNullException.ThrowIfNull(facts);
        var prepared = Prepare(ruleSet);
        return Watchdog.Run(facts.Count, i => EvaluateCompiled(ruleSet, prepared, facts[i]), _ => TimedOut(ruleSet), _options.TimeBudgetPerLine);
    }

    private Prepared Prepare(RuleSet ruleSet) =>
        // Keyed by version and content hash: a draft re-saved under the same version never reuses stale delegates.
        _prepared.GetOrAdd($"{ruleSet.VersionKey}#{ruleSet.Sha256}", _ => new Lazy<Prepared>(() => Prepared.Create(ruleSet))).Value;

    private static ClaimEvaluation EvaluateWithEngine(RuleSet ruleSet, Prepared prepared, IReadOnlyDictionary<string, object?> facts)
    {
        // Computed facts through RulesEngine's parser too, over the facts declared before each (all bound by then).
        var values = FactBinder.Bind(ruleSet, facts, (i, bound) => ComputeWithEngine(ruleSet, prepared, i, bound), out var faultCode, out var fault);
        if (values is null)
        {
            return Faulted(ruleSet, [], faultCode!, fault!);
        }

        var parameters = ToRuleParameters(ruleSet.Facts, values);
        List<RuleResultTree> results;
        try
        {
            // No actions are configured, so the ValueTask completes synchronously.
            results = prepared.Engine.ExecuteAllRulesAsync(ruleSet.VersionKey, parameters).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Faulted(ruleSet, [], FaultCodes.RuleError, $"规则引擎执行出错：{ex.Message} / the rules engine failed: {ex.Message}");
        }

        var byName = results.ToDictionary(r => r.Rule.RuleName, StringComparer.Ordinal);
        var outcomes = ruleSet.Eligibility.Select(rule =>
        {
            if (!byName.TryGetValue(rule.Name, out var tree))
            {
                return new RuleOutcome(rule.Name, false, "", "", RuleFault(rule.Name, "no result from the rules engine"));
            }

            if (!string.IsNullOrEmpty(tree.ExceptionMessage))
            {
                // RulesEngine's default turns an exception into IsSuccess=false; that must read as a fault, not "ineligible".
                var message = tree.ExceptionMessage;
                var prefix = $"{EngineErrorPrefix}{rule.Name} - ";
                return new RuleOutcome(rule.Name, false, "", "", RuleFault(rule.Name, message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message));
            }

            return Outcome(rule, tree.IsSuccess);
        }).ToList();

        return Decide(ruleSet, outcomes, () => prepared.AmountParser.Evaluate<decimal>(ruleSet.Amount.Expression, parameters));
    }

    private static object ComputeWithEngine(RuleSet ruleSet, Prepared prepared, int index, object[] values)
    {
        var fact = ruleSet.Facts[index];
        var earlier = ToRuleParameters([.. ruleSet.Facts.Take(index)], values);
        return fact.Type switch
        {
            FactType.String => prepared.AmountParser.Evaluate<string>(fact.Compute!, earlier),
            FactType.Decimal => prepared.AmountParser.Evaluate<decimal>(fact.Compute!, earlier),
            FactType.Int => prepared.AmountParser.Evaluate<int>(fact.Compute!, earlier),
            FactType.Bool => prepared.AmountParser.Evaluate<bool>(fact.Compute!, earlier),
            FactType.Date => prepared.AmountParser.Evaluate<DateOnly>(fact.Compute!, earlier),
            _ => throw new InvalidOperationException($"Unknown fact type {fact.Type}."),
        };
    }

    private static ClaimEvaluation EvaluateCompiled(RuleSet ruleSet, Prepared prepared, IReadOnlyDictionary<string, object?> facts)
    {
        var values = FactBinder.Bind(ruleSet, facts, (i, bound) => prepared.Computed[i]!(bound), out var faultCode, out var fault);
        if (values is null)
        {
            return Faulted(ruleSet, [], faultCode!, fault!);
        }

        var outcomes = new List<RuleOutcome>(ruleSet.Eligibility.Count);
        for (var i = 0; i < ruleSet.Eligibility.Count; i++)
        {
            var rule = ruleSet.Eligibility[i];
            try
            {
                outcomes.Add(Outcome(rule, prepared.Eligibility[i](values)));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                outcomes.Add(new RuleOutcome(rule.Name, false, "", "", RuleFault(rule.Name, ex.Message)));
            }
        }

        return Decide(ruleSet, outcomes, () => prepared.Amount(values));
    }

    // The one place that turns rule results into a decision, shared by both paths.
    private static ClaimEvaluation Decide(RuleSet ruleSet, List<RuleOutcome> outcomes, Func<decimal> amount)
    {
        var faulted = outcomes.FirstOrDefault(o => o.Fault is not null);
        if (faulted is not null)
        {
            return Faulted(ruleSet, outcomes, FaultCodes.RuleError, faulted.Fault!);
        }

        if (outcomes.Any(o => !o.Passed))
        {
            return new ClaimEvaluation(EvaluationOutcome.Ineligible, null, outcomes, ruleSet.VersionKey, null);
        }

        decimal raw;
        try
        {
            raw = amount();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Faulted(ruleSet, outcomes, FaultCodes.AmountError, $"金额计算出错：{ex.Message} / the amount expression failed: {ex.Message}");
        }

        // Rounded once, here, per line: 四舍五入 to 分 (OneCard.Domain.Money.Yuan.Round).
        var rounded = Yuan.Round(raw);
        if (rounded < 0)
        {
            return Faulted(ruleSet, outcomes, FaultCodes.AmountNegative, $"金额为负数 {rounded} / the amount is negative: {rounded}");
        }

        return ruleSet.Amount.Ceiling is { } ceiling && rounded > ceiling
            ? Faulted(ruleSet, outcomes, FaultCodes.AmountAboveCeiling,
                $"金额超过单条上限 {ceiling:0.00} 元（计算得 {rounded:0.00} 元），须人工核实 / the amount {rounded:0.00} exceeds the per-line ceiling of {ceiling:0.00} yuan")
            : new ClaimEvaluation(EvaluationOutcome.Eligible, rounded, outcomes, ruleSet.VersionKey, null);
    }

    private static RuleOutcome Outcome(EligibilityRule rule, bool passed) =>
        passed
            ? new RuleOutcome(rule.Name, true, "", "", null)
            : new RuleOutcome(rule.Name, false, rule.MessageZh, rule.MessageEn, null);

    private static string RuleFault(string ruleName, string message) =>
        $"规则 {ruleName} 执行出错：{message} / rule {ruleName} failed with an error: {message}";

    private static ClaimEvaluation Faulted(RuleSet ruleSet, IReadOnlyList<RuleOutcome> outcomes, string code, string fault) =>
        new(EvaluationOutcome.Faulted, null, outcomes, ruleSet.VersionKey, fault) { FaultCode = code };

    private ClaimEvaluation TimedOut(RuleSet ruleSet) =>
        Faulted(ruleSet, [], FaultCodes.Timeout,
            $"评估超过时限 {_options.TimeBudgetPerLine.TotalMilliseconds} 毫秒 / evaluation exceeded the {_options.TimeBudgetPerLine.TotalMilliseconds} ms budget");

    // Each fact becomes one typed RulesEngine parameter named as the fact: expressions see plain values, never an
    // object with methods (AutoRegisterInputType=false keeps it that way).
    private static RuleParameter[] ToRuleParameters(IReadOnlyList<FactDefinition> facts, object[] values)
    {
        // values may be longer than facts (the earlier facts of a computed one): only facts.Count are read.
        var parameters = new RuleParameter[facts.Count];
        for (var i = 0; i < facts.Count; i++)
        {
            var name = facts[i].Name;
            parameters[i] = facts[i].Type switch
            {
                FactType.String => RuleParameter.Create(name, (string)values[i]),
                FactType.Decimal => RuleParameter.Create(name, (decimal)values[i]),
                FactType.Int => RuleParameter.Create(name, (int)values[i]),
                FactType.Bool => RuleParameter.Create(name, (bool)values[i]),
                FactType.Date => RuleParameter.Create(name, (DateOnly)values[i]),
                _ => throw new InvalidOperationException($"Unknown fact type {facts[i].Type}."),
            };
        }

        return parameters;
    }

    private sealed record Prepared(
        RulesEngine.RulesEngine Engine,
        RuleExpressionParser AmountParser,
        IReadOnlyList<Func<object[], object>?> Computed,
        IReadOnlyList<Func<object[], bool>> Eligibility,
        Func<object[], decimal> Amount)
    {
        public static Prepared Create(RuleSet ruleSet)
        {
            var settings = HardenedSettings.Create();
            var workflow = new Workflow
            {
                WorkflowName = ruleSet.VersionKey,
                Rules = [.. ruleSet.Eligibility.Select(r => new Rule
                {
                    RuleName = r.Name,
                    Expression = r.Expression,
                    RuleExpressionType = RuleExpressionType.LambdaExpression,
                    Enabled = true,
                })],
            };

            var validated = ruleSet.Validated;
            var prepared = new Prepared(
                new RulesEngine.RulesEngine([workflow], settings),
                new RuleExpressionParser(settings),
                [.. validated.Computed.Select((body, i) => body is null ? null : Compile<object>(Expression.Convert(body, typeof(object)), validated.Parameters, i))],
                [.. validated.Eligibility.Select(body => Compile<bool>(body, validated.Parameters))],
                Compile<decimal>(validated.Amount, validated.Parameters));

            // RulesEngine compiles a workflow on its first execution; do it now, outside the per-line time budget,
            // with neutral values (rules are pure, and any exception is captured in the results and discarded).
            var neutral = ToRuleParameters(ruleSet.Facts, [.. ruleSet.Facts.Select(f => Neutral(f.Type))]);
            _ = prepared.Engine.ExecuteAllRulesAsync(ruleSet.VersionKey, neutral).AsTask().GetAwaiter().GetResult();
            try
            {
                _ = prepared.AmountParser.Evaluate<decimal>(ruleSet.Amount.Expression, neutral);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Compiled and cached before it threw on the neutral values; that is all the warm-up is for.
            }

            var values = ruleSet.Facts.Select(f => Neutral(f.Type)).ToArray();
            for (var i = 0; i < ruleSet.Facts.Count; i++)
            {
                if (ruleSet.Facts[i].IsComputed)
                {
                    try
                    {
                        _ = ComputeWithEngine(ruleSet, prepared, i, values);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        // As above: only the compilation matters here.
                    }
                }
            }

            return prepared;
        }

        private static object Neutral(FactType type) => type switch
        {
            FactType.String => "",
            FactType.Decimal => 0m,
            FactType.Int => 0,
            FactType.Bool => false,
            FactType.Date => DateOnly.MinValue,
            _ => throw new InvalidOperationException($"Unknown fact type {type}."),
        };

        // (object[] facts) => { IdNumber = (string)facts[0]; AreaMu = (decimal)facts[1]; …; return <approved body>; }
        // For a computed fact, only the facts declared before it (count) are assigned: the later ones are not bound yet.
        private static Func<object[], T> Compile<T>(Expression body, IReadOnlyList<ParameterExpression> parameters, int? count = null)
        {
            var facts = Expression.Parameter(typeof(object[]), "facts");
            var assignments = parameters.Take(count ?? parameters.Count).Select((p, i) =>
                (Expression)Expression.Assign(p, Expression.Convert(Expression.ArrayIndex(facts, Expression.Constant(i)), p.Type)));
            var block = Expression.Block(parameters, assignments.Append(body));
            return Expression.Lambda<Func<object[], T>>(block, facts).Compile();
        }
    }
}
