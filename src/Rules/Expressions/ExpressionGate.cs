using System.Linq.Expressions;
using RulesEngine.ExpressionBuilders;

namespace OneCard.Rules.Expressions;

/// <summary>The authoring-time gate: parses a rule expression with RulesEngine's own parser and admits it only if
/// every node of the tree is on an allow-list.</summary>
/// <remarks>
/// Parsing alone is not enough (reference §1): RulesEngine registers <see cref="object"/> as the base of any custom type,
/// so <c>"".GetType().Assembly…</c> parses, and <c>Enumerable.Range</c>/<c>Repeat</c> or <c>PadLeft(int.MaxValue)</c>
/// burn seconds of CPU or gigabytes of memory. The allow-list is the primary CPU and memory guard: .NET cannot abort a
/// thread, so the evaluation watchdog can only give up on a runaway line, not stop it.
/// </remarks>
public static class ExpressionGate
{
    /// <summary>The longest expression text admitted.</summary>
    public const int MaxLength = 2_000;

    /// <summary>The most expression-tree nodes admitted.</summary>
    public const int MaxNodes = 200;

    /// <summary>The largest array literal (<c>new[]{…}</c>) admitted.</summary>
    public const int MaxArrayLength = 64;

    /// <summary>The deepest nesting of lambdas admitted: one, so <c>xs.Where(x => ys.Any(y => …))</c> is refused.</summary>
    /// <remarks>Every sequence is bounded (a string fact of at most <c>FactDefinition.MaxLengthCeiling</c> = 256 characters,
    /// an array literal of constants, or Where/Select over those), no string grows inside a lambda, and every allowed
    /// string method is linear (IndexOf only by char). So a lambda body runs at most 256 times, each run linear in strings
    /// no longer than a fact or the 2,000-character text: a few million character steps, milliseconds
    /// (SandboxBoundsTests.WorstAcceptedExpression_OverMaxLengthStrings_EvaluatesWithoutFault).</remarks>
    public const int MaxLambdaDepth = 1;

    /// <summary>Parses <paramref name="expression"/> against the given fact parameters and checks it.</summary>
    /// <param name="expression">The rule text.</param>
    /// <param name="parameters">One parameter per fact, named as the fact.</param>
    /// <param name="resultType">The type the expression must have (bool for eligibility, decimal for amounts).</param>
    /// <returns>The approved tree, or the reasons it was refused.</returns>
    public static GateResult Check(string? expression, IReadOnlyList<ParameterExpression> parameters, Type resultType)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return GateResult.Refused("表达式为空", "the expression is empty");
        }

        if (expression.Length > MaxLength)
        {
            return GateResult.Refused(
                $"表达式长度 {expression.Length} 超过上限 {MaxLength} 个字符",
                $"the expression is {expression.Length} characters long; the limit is {MaxLength}");
        }

        Expression body;
        try
        {
            body = new RuleExpressionParser(HardenedSettings.Create()).Parse(expression, [.. parameters], resultType);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // SLDC throws ParseException for most bad input, but other exception types on some malformed text (issue #973).
            return GateResult.Refused($"表达式无法解析{ParseMessages.Zh(ex)}", $"the expression cannot be parsed: {ex.Message}");
        }

        var visitor = new AllowListVisitor(parameters);
        visitor.Visit(body);
        return visitor.Problem is { } problem
            ? GateResult.Refused(problem.Zh, problem.En)
            : GateResult.Approved(body);
    }

    /// <summary>The names of the parameters (facts) an approved tree reads.</summary>
    public static IReadOnlySet<string> ReferencedParameters(Expression tree)
    {
        var collector = new ParameterCollector();
        collector.Visit(tree);
        return collector.Names;
    }

    private sealed class ParameterCollector : ExpressionVisitor
    {
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (node.Name is { } name)
            {
                Names.Add(name);
            }

            return node;
        }
    }

    private sealed class AllowListVisitor(IReadOnlyList<ParameterExpression> facts) : ExpressionVisitor
    {
        private readonly HashSet<ParameterExpression> _inScope = [.. facts];
        private int _nodes;
        private int _lambdaDepth;

        public (string Zh, string En)? Problem { get; private set; }

        // Children first, so the reported reason is the innermost culprit ("GetType"), not what was built on it.
        public override Expression? Visit(Expression? node)
        {
            if (node is null || Problem is not null)
            {
                return node;
            }

            if (++_nodes > MaxNodes)
            {
                return Refuse($"表达式节点数超过上限 {MaxNodes}", $"the expression has more than {MaxNodes} nodes", node);
            }

            if (!AllowList.NodeTypes.Contains(node.NodeType))
            {
                return Refuse($"不允许的表达式结构 {node.NodeType}", $"expression construct {node.NodeType} is not allowed", node);
            }

            base.Visit(node);
            if (node.NodeType is not ExpressionType.Lambda && !AllowList.IsValueType(node.Type))
            {
                return Refuse(
                    $"不允许使用类型 {Name(node.Type)}",
                    $"type {Name(node.Type)} is not allowed in a rule expression",
                    node);
            }

            return node;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            base.VisitMethodCall(node);
            if (!AllowList.IsAllowedMethod(node.Method))
            {
                return Refuse(
                    $"不允许调用方法 {Name(node.Method.DeclaringType)}.{node.Method.Name}",
                    $"method {Name(node.Method.DeclaringType)}.{node.Method.Name} is not allowed",
                    node);
            }

            if (node.Method.DeclaringType == typeof(Enumerable) && node.Arguments.Count > 0 && !IsBoundedSequence(node.Arguments[0]))
            {
                return Refuse(
                    $"{node.Method.Name} 只能用于事实、由常量组成的数组字面量，或对它们的 Where/Select 结果",
                    $"{node.Method.Name} may only be applied to a fact, an array literal of constants, or Where/Select over those",
                    node);
            }

            if (_lambdaDepth > 0 && IsStringConcat(node))
            {
                return RefuseConcatInLambda(node);
            }

            return node;
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            var visited = base.VisitBinary(node);
            return _lambdaDepth > 0 && node.NodeType is ExpressionType.Add or ExpressionType.AddChecked && node.Type == typeof(string)
                ? RefuseConcatInLambda(node)
                : visited;
        }

        private Expression RefuseConcatInLambda(Expression node) =>
            Refuse("lambda 内不允许拼接字符串", "strings may not be concatenated inside a lambda", node);

        private static bool IsStringConcat(MethodCallExpression node) =>
            node.Method.DeclaringType == typeof(string) && node.Method.Name == "Concat";

        // Bounded by construction: facts (supplied or computed) are capped in length when bound, array literals hold constants, and Where/Select
        // never lengthen a sequence. A string built in the expression (Substring, "+", Fn.County) is not a source.
        private bool IsBoundedSequence(Expression source)
        {
            while (source.NodeType is ExpressionType.Convert or ExpressionType.ConvertChecked)
            {
                source = ((UnaryExpression)source).Operand;
            }

            return source switch
            {
                ParameterExpression p => _inScope.Contains(p),
                NewArrayExpression array => array.Expressions.All(e => ReferencedParameters(e).Count == 0),
                MethodCallExpression call => call.Method.DeclaringType == typeof(Enumerable)
                    && call.Method.Name is "Where" or "Select"
                    && call.Arguments.Count > 0
                    && IsBoundedSequence(call.Arguments[0]),
                _ => false,
            };
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            base.VisitMember(node);
            if (!AllowList.IsAllowedMember(node.Member))
            {
                return Refuse(
                    $"不允许访问成员 {Name(node.Member.DeclaringType)}.{node.Member.Name}",
                    $"member {Name(node.Member.DeclaringType)}.{node.Member.Name} is not allowed",
                    node);
            }

            return node;
        }

        protected override Expression VisitNew(NewExpression node)
        {
            // Only date/time values: DateOnly(2026, 6, 30). Nothing else may be constructed.
            if (node.Constructor is null
                || !AllowList.ConstructibleTypes.Contains(node.Type)
                || node.Arguments.Any(a => a.Type != typeof(int)))
            {
                return Refuse($"不允许构造 {Name(node.Type)}", $"constructing {Name(node.Type)} is not allowed", node);
            }

            return base.VisitNew(node);
        }

        protected override Expression VisitNewArray(NewArrayExpression node)
        {
            if (node.NodeType != ExpressionType.NewArrayInit || node.Expressions.Count > MaxArrayLength)
            {
                return Refuse(
                    $"数组只能逐项列出，且不超过 {MaxArrayLength} 项",
                    $"arrays must be listed element by element, at most {MaxArrayLength} elements",
                    node);
            }

            return base.VisitNewArray(node);
        }

        protected override Expression VisitConstant(ConstantExpression node)
        {
            if (node.Value is not null && !AllowList.IsScalar(node.Value.GetType()))
            {
                return Refuse($"不允许的常量类型 {Name(node.Value.GetType())}", $"constant of type {Name(node.Value.GetType())} is not allowed", node);
            }

            return node;
        }

        protected override Expression VisitParameter(ParameterExpression node) =>
            _inScope.Contains(node)
                ? node
                : Refuse($"未知的参数 {node.Name}", $"unknown parameter {node.Name}", node);

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            if (++_lambdaDepth > MaxLambdaDepth)
            {
                return Refuse("lambda 不能嵌套（lambda 内不得再有 lambda）", "lambdas may not be nested (no lambda inside a lambda)", node);
            }

            if (!AllowList.IsValueType(node.ReturnType) || node.Parameters.Any(p => !AllowList.IsScalar(p.Type)))
            {
                return Refuse("lambda 的参数或结果类型不允许", "a lambda's parameter or result type is not allowed", node);
            }

            foreach (var p in node.Parameters)
            {
                _inScope.Add(p);
            }

            Visit(node.Body);
            foreach (var p in node.Parameters)
            {
                _inScope.Remove(p);
            }

            _lambdaDepth--;
            return node;
        }

        protected override Expression VisitUnary(UnaryExpression node)
        {
            // A lambda passed to Enumerable may be quoted; anything else unary is value-typed and checked in Visit.
            if (node.NodeType == ExpressionType.Quote && node.Operand is not LambdaExpression)
            {
                return Refuse("不允许的表达式结构 Quote", "expression construct Quote is not allowed", node);
            }

            return base.VisitUnary(node);
        }

        private Expression Refuse(string zh, string en, Expression node)
        {
            Problem ??= (zh, en);
            return node;
        }

        private static string Name(Type? t) => t is null ? "?" : t.IsGenericType ? t.Name[..t.Name.IndexOf('`', StringComparison.Ordinal)] : t.Name;
    }
}

/// <summary>The gate's verdict on one expression: the approved tree, or why it was refused (Chinese and English).</summary>
public sealed class GateResult
{
    private GateResult(Expression? tree, string? reasonZh, string? reasonEn)
    {
        Tree = tree;
        ReasonZh = reasonZh;
        ReasonEn = reasonEn;
    }

    /// <summary>True when the expression may be stored and run.</summary>
    public bool IsApproved => Tree is not null;

    /// <summary>The parsed, approved expression body (bound to the fact parameters given to the gate).</summary>
    public Expression? Tree { get; }

    /// <summary>Why it was refused, in Chinese.</summary>
    public string? ReasonZh { get; }

    /// <summary>Why it was refused, in English.</summary>
    public string? ReasonEn { get; }

    internal static GateResult Approved(Expression tree) => new(tree, null, null);

    internal static GateResult Refused(string zh, string en) => new(null, zh, en);
}
