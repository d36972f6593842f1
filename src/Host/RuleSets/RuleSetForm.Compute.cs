using System.Text.RegularExpressions;

namespace OneCard.Host.RuleSets;

public sealed partial class RuleSetForm
{
    /// <summary>How a computed fact (计算事实) is written: as raw expression text, or by a named helper.</summary>
    public enum ComputeKind
    {
        /// <summary>Expression text as typed (for experts, and for anything no helper writes).</summary>
        Raw,
        /// <summary>年龄（按身份证号，于某日）: <c>Fn.Age(IdNumber, AsOf)</c>, or guarded
        /// <c>Fn.IsValidIdNumber(IdNumber, AsOf) ? Fn.Age(IdNumber, AsOf) : 0</c> (an invalid ID number gives 0, not a fault).</summary>
        Age,
        /// <summary>月数（两日期之间）: <c>Fn.MonthsBetween(From, AsOf)</c>.</summary>
        MonthsBetween,
        /// <summary>属于地区（行政区划前缀）: <c>Fn.InRegion(RegionCode, "2101")</c>.</summary>
        InRegion,
        /// <summary>地区代码前 N 位: <c>RegionCode.Substring(0, 4)</c> (市), <c>Fn.County(RegionCode)</c> (县，6 位).</summary>
        RegionPrefix,
        /// <summary>年度（某日期的年份）: <c>AsOf.Year</c>.</summary>
        YearOf,
    }

    /// <summary>The declared type each helper's result has (the fact's type is set to it when the helper is picked).</summary>
    public static string TypeOfHelper(ComputeKind kind) => kind switch
    {
        ComputeKind.Age or ComputeKind.MonthsBetween or ComputeKind.YearOf => "int",
        ComputeKind.InRegion => "bool",
        ComputeKind.RegionPrefix => "string",
        _ => "",
    };

    /// <summary>Switches <paramref name="fact"/> to <paramref name="kind"/>, filling the parts with the usual facts
    /// (IdNumber, AsOf, RegionCode) when they are declared, and setting the fact's type to the helper's.</summary>
    public void UseHelper(FactRow fact, ComputeKind kind)
    {
        ArgumentNullException.ThrowIfNull(fact);
        if (kind == fact.ComputeKind) return;
        if (kind == ComputeKind.Raw)
        {
            fact.ToRawCompute();
            return;
        }
        string Pick(string preferred, string type) =>
            Fact(preferred) is not null ? preferred : Facts.FirstOrDefault(f => f != fact && f.Type == type && !f.IsLookup)?.Name ?? preferred;
        var dates = Facts.Where(f => f != fact && f.Type == "date" && f.Name != "AsOf").Select(f => f.Name).ToList();
        (fact.ComputeFact, fact.ComputeFact2, fact.ComputeValue, fact.ComputeGuard) = kind switch
        {
            ComputeKind.Age => (Pick("IdNumber", "string"), Pick("AsOf", "date"), "", true),
            ComputeKind.MonthsBetween => (dates.FirstOrDefault() ?? "AsOf", Pick("AsOf", "date"), "", false),
            ComputeKind.InRegion => (Pick("RegionCode", "string"), "", "21", false),
            ComputeKind.RegionPrefix => (Pick("RegionCode", "string"), "", "6", false),
            _ => (Pick("AsOf", "date"), "", "", false),
        };
        fact.ComputeKind = kind;
        fact.Type = TypeOfHelper(kind);
    }

    public sealed partial class FactRow
    {
        private string compute = "";

        /// <summary>The computed fact's expression: the raw text, or what the helper writes from its parts. Setting it
        /// shows the text in a helper when the helper writes back exactly that text.</summary>
        public string Compute
        {
            get => ComputeKind == ComputeKind.Raw ? compute : BuildCompute();
            set
            {
                compute = value ?? "";
                ParseCompute();
            }
        }

        public ComputeKind ComputeKind { get; internal set; }
        /// <summary>The first argument: the ID-number fact (Age), the from-date (MonthsBetween), the region fact
        /// (InRegion, RegionPrefix), the date (YearOf).</summary>
        public string ComputeFact { get; set; } = "";
        /// <summary>The date argument (Age: the date of the age; MonthsBetween: the to-date).</summary>
        public string ComputeFact2 { get; set; } = "";
        /// <summary>The region prefix (InRegion) or the number of leading digits (RegionPrefix).</summary>
        public string ComputeValue { get; set; } = "";
        /// <summary>Age only: an invalid ID number gives age 0 (the rules then say why) instead of faulting the line.</summary>
        public bool ComputeGuard { get; set; }

        /// <summary>The lookup's key facts in order (the comma-separated <see cref="Key"/>).</summary>
        public IReadOnlyList<string> KeyFacts => Key.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        public bool IsComputed => ComputeKind != ComputeKind.Raw || compute.Trim().Length > 0;

        /// <summary>Switches to raw text, keeping what the helper wrote so the expert edits from there.</summary>
        public void ToRawCompute()
        {
            compute = Compute;
            ComputeKind = ComputeKind.Raw;
        }

        private void ParseCompute()
        {
            ComputeKind = ComputeKind.Raw;
            var text = compute;
            Match m;
            var c = new FactRow();
            if ((m = GuardedAgeShape().Match(text)).Success && m.Groups[1].Value == m.Groups[3].Value && m.Groups[2].Value == m.Groups[4].Value)
                (c.ComputeKind, c.ComputeFact, c.ComputeFact2, c.ComputeGuard) = (ComputeKind.Age, m.Groups[1].Value, m.Groups[2].Value, true);
            else if ((m = HelperAgeShape().Match(text)).Success)
                (c.ComputeKind, c.ComputeFact, c.ComputeFact2) = (ComputeKind.Age, m.Groups[1].Value, m.Groups[2].Value);
            else if ((m = HelperMonthsShape().Match(text)).Success)
                (c.ComputeKind, c.ComputeFact, c.ComputeFact2) = (ComputeKind.MonthsBetween, m.Groups[1].Value, m.Groups[2].Value);
            else if ((m = HelperInRegionShape().Match(text)).Success)
                (c.ComputeKind, c.ComputeFact, c.ComputeValue) = (ComputeKind.InRegion, m.Groups[1].Value, m.Groups[2].Value);
            else if ((m = SubstringShape().Match(text)).Success)
                (c.ComputeKind, c.ComputeFact, c.ComputeValue) = (ComputeKind.RegionPrefix, m.Groups[1].Value, m.Groups[2].Value);
            else if ((m = CountyShape().Match(text)).Success)
                (c.ComputeKind, c.ComputeFact, c.ComputeValue) = (ComputeKind.RegionPrefix, m.Groups[1].Value, "6");
            else if ((m = YearShape().Match(text)).Success)
                (c.ComputeKind, c.ComputeFact) = (ComputeKind.YearOf, m.Groups[1].Value);
            else return;
            if (c.BuildCompute() != text) return;
            (ComputeKind, ComputeFact, ComputeFact2, ComputeValue, ComputeGuard) = (c.ComputeKind, c.ComputeFact, c.ComputeFact2, c.ComputeValue, c.ComputeGuard);
        }

        /// <summary>
        /// The helper: fact names are written as picked when they are identifiers (else quoted, so the loader refuses them at
        /// their place and lists the known facts); a prefix is always a quoted string; a digit count only as digits. Nothing
        /// typed here can add an operator or a call; the result still goes through the gate on save.
        /// </summary>
        private string BuildCompute()
        {
            var a = RuleRow.Ident(ComputeFact);
            var b = RuleRow.Ident(ComputeFact2);
            var value = ComputeValue.Trim();
            return ComputeKind switch
            {
                ComputeKind.Age when ComputeGuard => $"Fn.IsValidIdNumber({a}, {b}) ? Fn.Age({a}, {b}) : 0",
                ComputeKind.Age => $"Fn.Age({a}, {b})",
                ComputeKind.MonthsBetween => $"Fn.MonthsBetween({a}, {b})",
                ComputeKind.InRegion => $"Fn.InRegion({a}, {RuleRow.Quote(value)})",
                ComputeKind.RegionPrefix when value == "6" => $"Fn.County({a})",
                ComputeKind.RegionPrefix => $"{a}.Substring(0, {(Digits().IsMatch(value) ? value : RuleRow.Quote(value))})",
                ComputeKind.YearOf => $"{a}.Year",
                _ => compute,
            };
        }

        private const string Id = @"([A-Za-z_][A-Za-z0-9_]*)";

        [GeneratedRegex(@"^Fn\.IsValidIdNumber\(" + Id + ", " + Id + @"\) \? Fn\.Age\(" + Id + ", " + Id + @"\) : 0$")]
        private static partial Regex GuardedAgeShape();
        [GeneratedRegex(@"^Fn\.Age\(" + Id + ", " + Id + @"\)$")]
        private static partial Regex HelperAgeShape();
        [GeneratedRegex(@"^Fn\.MonthsBetween\(" + Id + ", " + Id + @"\)$")]
        private static partial Regex HelperMonthsShape();
        [GeneratedRegex(@"^Fn\.InRegion\(" + Id + ", \"([0-9]*)\"\\)$")]
        private static partial Regex HelperInRegionShape();
        [GeneratedRegex(@"^" + Id + @"\.Substring\(0, ([1-9][0-9]?)\)$")]
        private static partial Regex SubstringShape();
        [GeneratedRegex(@"^Fn\.County\(" + Id + @"\)$")]
        private static partial Regex CountyShape();
        [GeneratedRegex(@"^" + Id + @"\.Year$")]
        private static partial Regex YearShape();
        [GeneratedRegex("^[1-9][0-9]?$")]
        private static partial Regex Digits();
    }
}
