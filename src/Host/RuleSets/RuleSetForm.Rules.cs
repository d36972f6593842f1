using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OneCard.Host.RuleSets;

public sealed partial class RuleSetForm
{
    /// <summary>How an eligibility rule is written: as raw expression text, or built from parts.</summary>
    public enum RuleKind
    {
        /// <summary>Expression text as typed (for experts, and for anything the builder cannot show).</summary>
        Raw,
        /// <summary>事实 运算符 值: <c>AreaMu &gt; 0</c>, <c>LandConverted</c> (是), <c>!LandConverted</c> (否), <c>RegionCode.StartsWith("21")</c>.</summary>
        Compare,
        /// <summary>年龄（身份证号，日期）运算符 N: <c>Fn.Age(IdNumber, AsOf) &gt;= 80</c>.</summary>
        Age,
        /// <summary>相隔月数（起，止）运算符 N: <c>Fn.MonthsBetween(From, AsOf) &gt;= 6</c>.</summary>
        MonthsBetween,
        /// <summary>地区在（地区代码，前缀）: <c>Fn.InRegion(RegionCode, "2101")</c>.</summary>
        InRegion,
    }

    /// <summary>The comparison operators the builder offers (是/否 for bools, 以…开头 for strings).</summary>
    public static readonly IReadOnlyList<string> CompareOperators = ["==", "!=", ">", ">=", "<", "<="];
    public const string IsTrue = "是", IsFalse = "否", StartsWith = "以…开头";

    /// <summary>One eligibility rule (资格规则): its name, Chinese and English messages, and its expression, raw or built.</summary>
    public sealed partial class RuleRow
    {
        private JsonObject original = [];
        public string Name { get; set; } = "";
        public string MessageZh { get; set; } = "";
        public string MessageEn { get; set; } = "";
        /// <summary>What the rule checks, as the condition met (符合时的说明, optional; with its English).</summary>
        public string LabelZh { get; set; } = "";
        public string LabelEn { get; set; } = "";
        public RuleKind Kind { get; set; } = RuleKind.Compare;
        /// <summary>The raw expression (used when <see cref="Kind"/> is Raw).</summary>
        public string Raw { get; set; } = "";
        /// <summary>The fact compared (Compare), the ID-number fact (Age), the from-date (MonthsBetween), the region fact (InRegion).</summary>
        public string Fact { get; set; } = "";
        /// <summary>The date fact (Age: the date of the age; MonthsBetween: the to-date).</summary>
        public string Fact2 { get; set; } = "";
        public string Operator { get; set; } = ">=";
        /// <summary>The value compared with (a number, a text, or the region prefix).</summary>
        public string Value { get; set; } = "";

        /// <summary>The builder's text for the parts; <paramref name="factType"/> (the compared fact's declared type) decides quoting.</summary>
        public string ExpressionFor(string? factType) => Kind == RuleKind.Raw ? Raw : Build(this, factType);

        /// <summary>Switches to raw text, keeping what the builder generated so the expert edits from there.</summary>
        public void ToRaw(string? factType)
        {
            Raw = ExpressionFor(factType);
            Kind = RuleKind.Raw;
        }

        internal static RuleRow From(JsonObject? o, Func<string, string?> typeOf)
        {
            o ??= [];
            var row = new RuleRow
            {
                original = (JsonObject)o.DeepClone(), Name = Text(o["name"]), MessageZh = Text(o["messageZh"]), MessageEn = Text(o["messageEn"]),
                LabelZh = Text(o["labelZh"]), LabelEn = Text(o["labelEn"]),
            };
            row.Parse(Text(o["expression"]), typeOf);
            return row;
        }

        /// <summary>Shows <paramref name="expression"/> in the builder when the builder writes back exactly that text; otherwise raw.</summary>
        public void Parse(string expression, Func<string, string?> typeOf)
        {
            Raw = expression;
            Kind = RuleKind.Raw;
            var candidate = new RuleRow();
            Match m;
            if ((m = AgeShape().Match(expression)).Success)
                (candidate.Kind, candidate.Fact, candidate.Fact2, candidate.Operator, candidate.Value) = (RuleKind.Age, m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value);
            else if ((m = MonthsShape().Match(expression)).Success)
                (candidate.Kind, candidate.Fact, candidate.Fact2, candidate.Operator, candidate.Value) = (RuleKind.MonthsBetween, m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value);
            else if ((m = InRegionShape().Match(expression)).Success)
                (candidate.Kind, candidate.Fact, candidate.Value) = (RuleKind.InRegion, m.Groups[1].Value, m.Groups[2].Value);
            else if ((m = StartsWithShape().Match(expression)).Success)
                (candidate.Kind, candidate.Fact, candidate.Operator, candidate.Value) = (RuleKind.Compare, m.Groups[1].Value, StartsWith, m.Groups[2].Value);
            else if ((m = BoolShape().Match(expression)).Success)
                (candidate.Kind, candidate.Fact, candidate.Operator) = (RuleKind.Compare, m.Groups[2].Value, m.Groups[1].Value == "!" ? IsFalse : IsTrue);
            else if ((m = CompareShape().Match(expression)).Success)
            {
                var literal = m.Groups[3].Value;
                (candidate.Kind, candidate.Fact, candidate.Operator, candidate.Value) =
                    (RuleKind.Compare, m.Groups[1].Value, m.Groups[2].Value, literal.StartsWith('"') ? Unquote(literal) : literal);
            }
            else return;
            if (Build(candidate, typeOf(candidate.Fact)) == expression) Copy(candidate);
        }

        private void Copy(RuleRow c) => (Kind, Fact, Fact2, Operator, Value) = (c.Kind, c.Fact, c.Fact2, c.Operator, c.Value);

        internal JsonObject ToNode(string? factType)
        {
            var o = (JsonObject)original.DeepClone();
            Set(o, "name", Str(Name, original["name"]));
            Set(o, "expression", Str(ExpressionFor(factType), original["expression"]));
            Set(o, "messageZh", Str(MessageZh, original["messageZh"]));
            Set(o, "messageEn", Str(MessageEn, original["messageEn"]));
            Set(o, "labelZh", Str(LabelZh, original["labelZh"]));
            Set(o, "labelEn", Str(LabelEn, original["labelEn"]));
            return o;
        }

        /// <summary>
        /// The builder: identifiers are written as picked (a name that is not a declared fact is refused by the loader, which
        /// lists the known ones); a value is written as a number only when it is one, otherwise as a quoted C# string — so a
        /// value can never add operators or calls to the expression. The result still goes through the gate on save.
        /// </summary>
        private static string Build(RuleRow r, string? factType)
        {
            var fact = Ident(r.Fact);
            var value = r.Value.Trim();
            var number = Number().IsMatch(value) ? value : Quote(value);
            return r.Kind switch
            {
                RuleKind.Age => $"Fn.Age({fact}, {Ident(r.Fact2)}) {Op(r.Operator)} {number}",
                RuleKind.MonthsBetween => $"Fn.MonthsBetween({fact}, {Ident(r.Fact2)}) {Op(r.Operator)} {number}",
                RuleKind.InRegion => $"Fn.InRegion({fact}, {Quote(value)})",
                _ => r.Operator switch
                {
                    IsTrue => fact,
                    IsFalse => "!" + fact,
                    StartsWith => $"{fact}.StartsWith({Quote(value)})",
                    _ => $"{fact} {Op(r.Operator)} {(factType == "string" ? Quote(value) : value is "true" or "false" ? value : number)}",
                },
            };
        }

        /// <summary>A picked fact name as an identifier; anything else is written as a quoted string, never as code.</summary>
        internal static string Ident(string name) => IdOnly().IsMatch(name.Trim()) ? name.Trim() : Quote(name);

        /// <summary>Only the six comparison operators are written; anything else becomes == (never free text).</summary>
        private static string Op(string op) => CompareOperators.Contains(op) ? op : "==";

        internal static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

        private static string Unquote(string s) => s[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

        private const string Id = @"([A-Za-z_][A-Za-z0-9_]*)";
        private const string Ops = @"(==|!=|>=|<=|>|<)";
        private const string Lit = "(-?[0-9]+(?:\\.[0-9]+)?)";
        private const string Quoted = "\"((?:[^\"\\\\]|\\\\.)*)\"";

        [GeneratedRegex("^Fn\\.Age\\(" + Id + ", " + Id + "\\) " + Ops + " " + Lit + "$")]
        private static partial Regex AgeShape();
        [GeneratedRegex("^Fn\\.MonthsBetween\\(" + Id + ", " + Id + "\\) " + Ops + " " + Lit + "$")]
        private static partial Regex MonthsShape();
        [GeneratedRegex("^Fn\\.InRegion\\(" + Id + ", " + Quoted + "\\)$")]
        private static partial Regex InRegionShape();
        [GeneratedRegex("^" + Id + "\\.StartsWith\\(" + Quoted + "\\)$")]
        private static partial Regex StartsWithShape();
        [GeneratedRegex("^(!?)" + Id + "$")]
        private static partial Regex BoolShape();
        [GeneratedRegex("^" + Id + " " + Ops + " (-?[0-9]+(?:\\.[0-9]+)?|true|false|\"(?:[^\"\\\\]|\\\\.)*\")$")]
        private static partial Regex CompareShape();
        [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
        internal static partial Regex IdOnly();
        [GeneratedRegex("^-?[0-9]+(\\.[0-9]+)?$")]
        internal static partial Regex Number();
    }

    /// <summary>The declared type of a fact by name (null when not declared).</summary>
    public string? TypeOf(string? fact) => Fact(fact)?.Type;

    internal static string Invariant(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
