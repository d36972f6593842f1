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

    /// <summary>How many workers <see cref="RuleEvaluator.EvaluateMany"/> may use for a large batch (workers take
    /// contiguous chunks of lines from a shared counter, each line under the same per-line time budget); 1 evaluates on one worker.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
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
        // Lanes only pay off for large batches; a small roster stays on one worker.
        var lanes = Math.Clamp(Math.Min(_options.MaxDegreeOfParallelism, facts.Count / MinLinesPerLane), 1, 64);
        return Watchdog.Run(facts.Count, i => EvaluateCompiled(ruleSet, prepared, facts[i]), _ => TimedOut(ruleSet), _options.TimeBudgetPerLine, lanes);
    }

    private const int MinLinesPerLane = 2_048;

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
        // The whole ordinary line in one compiled kernel over typed slots; anything else falls back to the path below.
        if (prepared.Kernel is { } kernel)
        {
            var amount = 0m;
            var verdict = kernel(facts, ref amount);
            if (verdict == 0)
            {
                return Decide(ruleSet, prepared.VersionKey, prepared.AllPassed, static amount => amount, amount);
            }

            if (verdict > 0)
            {
                return prepared.Ineligible(verdict);
            }
        }

        // The values array is reused per worker thread: nothing holds it after the line's evaluation returns.
        var buffer = ValuesBuffer;
        if (buffer is null || buffer.Length != ruleSet.Facts.Count)
        {
            ValuesBuffer = buffer = new object[ruleSet.Facts.Count];
        }

        var values = FactBinder.Bind(ruleSet, prepared.Plan, buffer, facts, prepared.ComputeFact, out var faultCode, out var fault);
        if (values is null)
        {
            return prepared.BindFault(faultCode!, fault!);
        }

        // Fast path: every rule in one delegate (facts unboxed once), a bit per failed rule, nothing allocated per rule.
        // Outcomes are shared immutable objects; an Ineligible line of a given failure pattern is one shared result.
        if (prepared.AllRules is { } allRules)
        {
            var failed = allRules(values);
            if (failed == 0)
            {
                return Decide(ruleSet, prepared.VersionKey, prepared.AllPassed, prepared, values);
            }

            if (failed > 0)
            {
                return prepared.Ineligible(failed);
            }

            // A rule threw: take the per-rule path below, which records every rule's result and the first fault.
        }

        var outcomes = new RuleOutcome[ruleSet.Eligibility.Count];
        for (var i = 0; i < outcomes.Length; i++)
        {
            var rule = ruleSet.Eligibility[i];
            try
            {
                outcomes[i] = prepared.Eligibility[i](values) ? prepared.Passed[i] : prepared.Failed[i];
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                outcomes[i] = new RuleOutcome(rule.Name, false, "", "", RuleFault(rule.Name, ex.Message));
            }
        }

        return Decide(ruleSet, prepared.VersionKey, outcomes, prepared, values);
    }

    [ThreadStatic]
    private static object[]? ValuesBuffer;

    private static ClaimEvaluation Decide(RuleSet ruleSet, string versionKey, IReadOnlyList<RuleOutcome> outcomes, Prepared prepared, object[] values) =>
        Decide(ruleSet, versionKey, outcomes, static (state) => state.Prepared.Amount(state.Values), (Prepared: prepared, Values: values));

    // The one place that turns rule results into a decision, shared by both paths.
    private static ClaimEvaluation Decide(RuleSet ruleSet, List<RuleOutcome> outcomes, Func<decimal> amount) =>
        Decide(ruleSet, ruleSet.VersionKey, outcomes, static amount => amount(), amount);

    private static ClaimEvaluation Decide<TState>(RuleSet ruleSet, string versionKey, IReadOnlyList<RuleOutcome> outcomes, Func<TState, decimal> amount, TState state)
    {
        var anyFailed = false;
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i].Fault is { } ruleFault)
            {
                return Faulted(versionKey, outcomes, FaultCodes.RuleError, ruleFault);
            }

            anyFailed |= !outcomes[i].Passed;
        }

        if (anyFailed)
        {
            return new ClaimEvaluation(EvaluationOutcome.Ineligible, null, outcomes, versionKey, null);
        }

        decimal raw;
        try
        {
            raw = amount(state);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Faulted(versionKey, outcomes, FaultCodes.AmountError, $"金额计算出错：{ex.Message} / the amount expression failed: {ex.Message}");
        }

        // Rounded once, here, per line: 四舍五入 to 分 (OneCard.Domain.Money.Yuan.Round).
        var rounded = Yuan.Round(raw);
        if (rounded < 0)
        {
            return Faulted(versionKey, outcomes, FaultCodes.AmountNegative, $"金额为负数 {rounded} / the amount is negative: {rounded}");
        }

        return ruleSet.Amount.Ceiling is { } ceiling && rounded > ceiling
            ? Faulted(versionKey, outcomes, FaultCodes.AmountAboveCeiling,
                $"金额超过单条上限 {ceiling:0.00} 元（计算得 {rounded:0.00} 元），须人工核实 / the amount {rounded:0.00} exceeds the per-line ceiling of {ceiling:0.00} yuan")
            : new ClaimEvaluation(EvaluationOutcome.Eligible, rounded, outcomes, versionKey, null);
    }

    private static RuleOutcome Outcome(EligibilityRule rule, bool passed) =>
        passed
            ? new RuleOutcome(rule.Name, true, "", "", null)
            : new RuleOutcome(rule.Name, false, rule.MessageZh, rule.MessageEn, null);

    private static string RuleFault(string ruleName, string message) =>
        $"规则 {ruleName} 执行出错：{message} / rule {ruleName} failed with an error: {message}";

    private static ClaimEvaluation Faulted(RuleSet ruleSet, IReadOnlyList<RuleOutcome> outcomes, string code, string fault) =>
        Faulted(ruleSet.VersionKey, outcomes, code, fault);

    private static ClaimEvaluation Faulted(string versionKey, IReadOnlyList<RuleOutcome> outcomes, string code, string fault) =>
        new(EvaluationOutcome.Faulted, null, outcomes, versionKey, fault) { FaultCode = code };

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
        /// <summary>The version key, built once (not a new string per line).</summary>
        public string VersionKey { get; private init; } = "";

        /// <summary>Lookups prepared once.</summary>
        public BindPlan Plan { get; private init; } = null!;

        /// <summary>Computes fact i over the bound values; one delegate for all lines.</summary>
        public Func<int, object[], object> ComputeFact { get; private init; } = null!;

        /// <summary>All rules in one delegate: 0 when every rule passed, a bit per failed rule, -1 when one threw;
        /// null when there are too many rules for the bits (the per-rule path then serves every line).</summary>
        public Func<object[], long>? AllRules { get; private init; }

        /// <summary>The whole line over typed slots for the ordinary case (<see cref="LineKernel"/>), or null.</summary>
        public LineKernel.Run? Kernel { get; private init; }

        /// <summary>Each rule's outcome when it passed, and when it failed: immutable, shared by every line.</summary>
        public RuleOutcome[] Passed { get; private init; } = [];

        /// <inheritdoc cref="Passed"/>
        public RuleOutcome[] Failed { get; private init; } = [];

        /// <summary>The outcomes of a line on which every rule passed, shared.</summary>
        public IReadOnlyList<RuleOutcome> AllPassed { get; private init; } = [];

        private ClaimEvaluation?[]? IneligibleByPattern { get; init; }

        private readonly ConcurrentDictionary<(string Code, string Fault), ClaimEvaluation> _bindFaults = new();
        private int _remembered;

        /// <summary>The Faulted result of a line whose facts could not be bound: immutable and equal for equal faults,
        /// so one shared instance per distinct fault (up to <see cref="BindPlan.MaxRemembered"/>, then new ones).</summary>
        public ClaimEvaluation BindFault(string code, string fault)
        {
            if (_bindFaults.TryGetValue((code, fault), out var shared))
            {
                return shared;
            }

            var made = Faulted(VersionKey, [], code, fault);
            if (Volatile.Read(ref _remembered) < BindPlan.MaxRemembered && _bindFaults.TryAdd((code, fault), made))
            {
                Interlocked.Increment(ref _remembered);
            }

            return made;
        }

        /// <summary>The Ineligible result for a pattern of failed rules; one shared instance per pattern (rule sets
        /// up to 12 rules), since a result is immutable and carries no amount.</summary>
        public ClaimEvaluation Ineligible(long failed)
        {
            var cache = IneligibleByPattern;
            if (cache is not null && Volatile.Read(ref cache[failed]) is { } shared)
            {
                return shared;
            }

            var outcomes = new RuleOutcome[Passed.Length];
            for (var i = 0; i < outcomes.Length; i++)
            {
                outcomes[i] = (failed & (1L << i)) != 0 ? Failed[i] : Passed[i];
            }

            var made = new ClaimEvaluation(EvaluationOutcome.Ineligible, null, outcomes, VersionKey, null);
            if (cache is not null)
            {
                Volatile.Write(ref cache[failed], made);
            }

            return made;
        }

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

            // The compiled path runs exactly the gate-approved trees, with Fn's ID helpers swapped for their
            // allocation-free equivalents (FastFn: same answers, same exceptions).
            var validated = ruleSet.Validated;
            var computed = validated.Computed.Select((body, i) => body is null ? null : Compile<object>(BoxCache.Box(FastFn.Rewrite(body)), validated.Parameters, i)).ToArray();
            var eligibility = validated.Eligibility.Select(FastFn.Rewrite).ToArray();
            var passed = ruleSet.Eligibility.Select(r => new RuleOutcome(r.Name, true, "", "", null)).ToArray();
            var plan = new BindPlan(ruleSet);
            var amount = FastFn.Rewrite(validated.Amount);
            var prepared = new Prepared(
                new RulesEngine.RulesEngine([workflow], settings),
                new RuleExpressionParser(settings),
                computed,
                [.. eligibility.Select(body => Compile<bool>(body, validated.Parameters))],
                Compile<decimal>(amount, validated.Parameters))
            {
                VersionKey = ruleSet.VersionKey,
                Plan = plan,
                Kernel = LineKernel.TryCompile(ruleSet, plan, eligibility, amount, [.. validated.Computed.Select(body => body is null ? null : FastFn.Rewrite(body))]),
                ComputeFact = (i, bound) => computed[i]!(bound),
                AllRules = eligibility.Length is > 0 and <= 62 ? CompileAll(eligibility, validated.Parameters) : null,
                Passed = passed,
                Failed = [.. ruleSet.Eligibility.Select(r => new RuleOutcome(r.Name, false, r.MessageZh, r.MessageEn, null))],
                AllPassed = Array.AsReadOnly(passed),
                IneligibleByPattern = eligibility.Length <= 12 ? new ClaimEvaluation?[1 << eligibility.Length] : null,
            };

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

        // (object[] facts) => { IdNumber = (string)facts[0]; …; failed = 0; try { if (!rule0) failed |= 1; if (!rule1) failed |= 2; … }
        // catch (Exception) { failed = -1; } return failed; } — the facts are unboxed once for all rules.
        private static Func<object[], long> CompileAll(IReadOnlyList<Expression> rules, IReadOnlyList<ParameterExpression> parameters)
        {
            var facts = Expression.Parameter(typeof(object[]), "facts");
            var failed = Expression.Variable(typeof(long), "failed");
            var body = new List<Expression>();
            body.AddRange(parameters.Select((p, i) =>
                (Expression)Expression.Assign(p, Expression.Convert(Expression.ArrayIndex(facts, Expression.Constant(i)), p.Type))));
            body.Add(Expression.Assign(failed, Expression.Constant(0L)));
            var checks = rules.Select((rule, i) => (Expression)Expression.IfThen(
                Expression.Not(rule), Expression.OrAssign(failed, Expression.Constant(1L << i)))).ToList();
            body.Add(Expression.TryCatch(
                Expression.Block(typeof(void), checks),
                Expression.Catch(typeof(Exception), Expression.Block(typeof(void), Expression.Assign(failed, Expression.Constant(-1L))))));
            body.Add(failed);
            return Expression.Lambda<Func<object[], long>>(Expression.Block(typeof(long), [.. parameters, failed], body), facts).Compile();
        }

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

/// <summary>Boxes computed int and bool facts through shared boxes (ages, years, flags), so a computed fact of a common
/// value allocates nothing; any other value is boxed as usual.</summary>
internal static class BoxCache
{
    private const int Smallest = -128;
    private static readonly object[] Ints = [.. Enumerable.Range(Smallest, 3200 - Smallest).Select(n => (object)n)];
    private static readonly object True = true;
    private static readonly object False = false;

    public static object Int(int value) => value >= Smallest && value - Smallest < Ints.Length ? Ints[value - Smallest] : value;

    public static object Bool(bool value) => value ? True : False;

    /// <summary>The body converted to object, through the shared boxes where its type has them.</summary>
    public static Expression Box(Expression body) =>
        body.Type == typeof(int) ? Expression.Call(typeof(BoxCache).GetMethod(nameof(Int))!, body)
        : body.Type == typeof(bool) ? Expression.Call(typeof(BoxCache).GetMethod(nameof(Bool))!, body)
        : Expression.Convert(body, typeof(object));
}
