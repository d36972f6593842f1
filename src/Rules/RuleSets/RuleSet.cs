using System.Linq.Expressions;

namespace OneCard.Rules.RuleSets;

/// <summary>A text in Chinese (first) and English.</summary>
public sealed record LocalizedText(string Zh, string En);

/// <summary>The type of a fact as declared in a rule set; each maps to one CLR type seen by expressions.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members mirror the type names written in rule set files.")]
public enum FactType
{
    /// <summary><see cref="string"/>.</summary>
    String,
    /// <summary><see cref="decimal"/>; areas, rates and money.</summary>
    Decimal,
    /// <summary><see cref="int"/>.</summary>
    Int,
    /// <summary><see cref="bool"/>.</summary>
    Bool,
    /// <summary><see cref="DateOnly"/>.</summary>
    Date,
}

/// <summary>How a lookup fact finds its table entry.</summary>
public enum LookupMatch
{
    /// <summary>The entry whose key equals the key (facts joined with <c>|</c>).</summary>
    Exact,
    /// <summary>A tier: the entry with the largest numeric key at or below the (single, numeric) key fact's value.</summary>
    Floor,
}

/// <summary>One typed, named input of a rule set: supplied per claim line, looked up in a table, or computed from
/// earlier facts by a gated expression.</summary>
/// <param name="Name">The identifier expressions use (PascalCase).</param>
/// <param name="Type">The declared type; a supplied value of another type faults the line.</param>
/// <param name="Table">When set, the fact is not supplied by the caller but looked up in this table before evaluation.</param>
/// <param name="KeyFact">The (first) fact whose value keys the table lookup (default <c>RegionCode</c>).</param>
/// <param name="KeyLength">How many leading characters of a single string key fact form the key (0: the whole value;
/// a single <c>RegionCode</c> key defaults to 6, the county code).</param>
public sealed record FactDefinition(string Name, FactType Type, string? Table = null, string? KeyFact = null, int KeyLength = 0)
{
    /// <summary>The facts whose values, joined with <c>|</c>, key the table lookup (e.g. <c>CountyCode|Year</c>);
    /// by default the single <see cref="KeyFact"/>.</summary>
    public IReadOnlyList<string> KeyFacts
    {
        get => _keyFacts ?? (KeyFact is null ? [] : [KeyFact]);
        init => _keyFacts = value;
    }

    private readonly IReadOnlyList<string>? _keyFacts;

    /// <summary>How the lookup matches its key: exactly, or as a tier (floor).</summary>
    public LookupMatch Match { get; init; } = LookupMatch.Exact;

    /// <summary>For a computed fact, the gated expression over facts declared before it (e.g. <c>Fn.Age(IdNumber, AsOf)</c>).</summary>
    public string? Compute { get; init; }

    /// <summary>True for a computed fact that reads a personal fact (directly or through another computed fact): like a
    /// personal fact, it may decide eligibility or pick a tier, but never appear in the amount expression.</summary>
    public bool DerivedFromPersonal { get; init; }

    /// <summary>The column header users see for a supplied fact in a roster (e.g. 承包面积（亩）).</summary>
    public string? LabelZh { get; init; }

    /// <summary>The least value a supplied decimal fact may take; below it the input is refused as bad data.</summary>
    public decimal? Minimum { get; init; }

    /// <summary>The greatest plausible value of a supplied decimal or int fact; above it the input is refused as bad data.</summary>
    public decimal? Maximum { get; init; }

    /// <summary>The string length a fact gets when its rule set declares none.</summary>
    public const int DefaultMaxLength = 64;

    /// <summary>The longest <c>maxLength</c> a rule set may declare; it bounds the work of any accepted expression.</summary>
    public const int MaxLengthCeiling = 256;

    private readonly int? _maxLength;
    private readonly bool _personal;

    /// <summary>The most characters a string fact's value may have (declared, else <see cref="DefaultMaxLength"/>);
    /// null for other types. A longer value is refused by the host's validator and faults the line at bind time.</summary>
    public int? MaxLength
    {
        get => Type == FactType.String ? _maxLength ?? DefaultMaxLength : null;
        init => _maxLength = value;
    }

    /// <summary>True for a personal identifier (ID number, name, account): it may decide eligibility but never reach the
    /// amount or anything published. <c>IdNumber</c>, <c>Name</c> and <c>BankAccount</c> are always personal.</summary>
    public bool Personal
    {
        get => _personal || AlwaysPersonal.Contains(Name);
        init => _personal = value;
    }

    /// <summary>Fact names that are personal whatever the rule set says.</summary>
    public static IReadOnlySet<string> AlwaysPersonal { get; } = new HashSet<string>(["IdNumber", "Name", "BankAccount"], StringComparer.Ordinal);

    /// <summary>True when the fact comes from a table rather than from the caller.</summary>
    public bool IsLookup => Table is not null;

    /// <summary>True when the fact is computed from earlier facts rather than supplied.</summary>
    public bool IsComputed => Compute is not null;

    /// <summary>True when the caller (a roster, a form, an API body) supplies the fact: neither looked up nor computed.
    /// A sourced fact is supplied too — by the host, from the registry — so the evaluator binds it like any other.</summary>
    public bool IsSupplied => !IsLookup && !IsComputed;

    /// <summary>Where the host reads a supplied fact instead of the roster (<see cref="FactSources"/>: <c>household.memberCount</c>,
    /// <c>crossCheck.Deceased</c>, …); null for a roster column.</summary>
    public string? Source { get; init; }

    /// <summary>True when the fact is a column of the roster (or a field of an API line): supplied and not sourced from the registry.</summary>
    public bool IsFromRoster => IsSupplied && Source is null;

    /// <summary>The CLR type an expression sees for this fact.</summary>
    public Type ClrType => Type switch
    {
        FactType.String => typeof(string),
        FactType.Decimal => typeof(decimal),
        FactType.Int => typeof(int),
        FactType.Bool => typeof(bool),
        FactType.Date => typeof(DateOnly),
        _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, null),
    };
}

/// <summary>One eligibility rule: a boolean expression over the facts and the messages shown when it fails.</summary>
public sealed record EligibilityRule(string Name, string Expression, string MessageZh, string MessageEn)
{
    /// <summary>What the rule checks, said as the condition met ("身份证号有效"): how a passed result reads. Optional; a rule set
    /// without it shows a passed rule as the absence of its failure.</summary>
    public string? LabelZh { get; init; }

    /// <summary>The English of <see cref="LabelZh"/>; given together with it.</summary>
    public string? LabelEn { get; init; }
}

/// <summary>The amount of an eligible line: one decimal expression, rounded once to 分, half away from zero.</summary>
public sealed record AmountRule(string Expression, string Rounding, int Decimals)
{
    /// <summary>The most one line may be paid (yuan); a larger evaluated amount faults the line, it is never paid.
    /// Required in the latest version of a policy (see <see cref="RuleSetCatalog"/>).</summary>
    public decimal? Ceiling { get; init; }
}

/// <summary>A loaded, validated, immutable rule set of one policy version (规则集).</summary>
/// <remarks>Only <see cref="RuleSetLoader"/> creates it, and only after every expression passed the gate.</remarks>
public sealed class RuleSet
{
    internal RuleSet(
        string policyCode,
        int version,
        LocalizedText name,
        int year,
        string basis,
        IReadOnlyList<FactDefinition> facts,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, object>> tables,
        IReadOnlyList<EligibilityRule> eligibility,
        AmountRule amount,
        string json,
        string sha256,
        string source,
        ValidatedExpressions validated,
        IReadOnlyList<RuleSetExample> examples)
    {
        Examples = examples;
        Tiers = facts.Where(f => f.IsLookup && f.Match == LookupMatch.Floor).Select(f => f.Table!).Distinct().ToDictionary(
            t => t,
            t => (IReadOnlyList<(decimal, object)>)[.. tables[t].Select(e => (RuleSetLoader.FloorKey(e.Key)!.Value, e.Value)).OrderBy(e => e.Item1)],
            StringComparer.Ordinal);
        PolicyCode = policyCode;
        Version = version;
        Name = name;
        Year = year;
        Basis = basis;
        Facts = facts;
        Tables = tables;
        Eligibility = eligibility;
        Amount = amount;
        Json = json;
        Sha256 = sha256;
        Source = source;
        Validated = validated;
    }

    /// <summary>The policy this rule set belongs to, e.g. <c>arable-land-protection</c>.</summary>
    public string PolicyCode { get; }

    /// <summary>The version, 1, 2, …; a case pins the version it started under.</summary>
    public int Version { get; }

    /// <summary><c>policyCode@version</c>, e.g. <c>arable-land-protection@1</c>; stored with every evaluation.</summary>
    public string VersionKey => $"{PolicyCode}@{Version}";

    /// <summary>The policy's name in Chinese and English.</summary>
    public LocalizedText Name { get; }

    /// <summary>The subsidy year the standards apply to.</summary>
    public int Year { get; }

    /// <summary>The legal and factual basis of the rules and rates, with sources.</summary>
    public string Basis { get; }

    /// <summary>The declared facts, in file order.</summary>
    public IReadOnlyList<FactDefinition> Facts { get; }

    /// <summary>Lookup tables by name, each mapping a key (e.g. a county code) to a value of the referring fact's type.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, object>> Tables { get; }

    /// <summary>The eligibility rules, in file order.</summary>
    public IReadOnlyList<EligibilityRule> Eligibility { get; }

    /// <summary>The amount rule.</summary>
    public AmountRule Amount { get; }

    /// <summary>The file text exactly as loaded.</summary>
    public string Json { get; }

    /// <summary>Lowercase hex SHA-256 of the file bytes; proves which text a decision ran under.</summary>
    public string Sha256 { get; }

    /// <summary>Where it was loaded from (a path, or a name given by the caller).</summary>
    public string Source { get; }

    /// <summary>The example lines with their expected outcomes (<c>examples</c>), in file order; run by
    /// <see cref="RuleSetExamples.Run"/>.</summary>
    public IReadOnlyList<RuleSetExample> Examples { get; }

    /// <summary>The cross-checks (大数据比对) configured in <c>crossChecks</c>, in file order; empty when none.</summary>
    public IReadOnlyList<CrossCheckConfig> CrossChecks { get; internal init; } = [];

    internal ValidatedExpressions Validated { get; }

    /// <summary>The tier tables (lookups with <c>match: floor</c>), entries ordered by their numeric key.</summary>
    internal IReadOnlyDictionary<string, IReadOnlyList<(decimal Bound, object Value)>> Tiers { get; }

    /// <inheritdoc />
    public override string ToString() => $"{VersionKey} ({Sha256[..12]})";
}

/// <summary>The expression trees the gate approved, with the fact parameters they are bound to.</summary>
/// <remarks>The fast evaluation path compiles exactly these trees, so what runs is what was checked.</remarks>
/// <param name="Parameters">One parameter per fact, in declared order.</param>
/// <param name="Computed">Per fact index, the approved tree of a computed fact (reading only earlier facts), else null.</param>
/// <param name="Eligibility">The eligibility rules' trees.</param>
/// <param name="Amount">The amount's tree.</param>
internal sealed record ValidatedExpressions(
    IReadOnlyList<ParameterExpression> Parameters,
    IReadOnlyList<Expression?> Computed,
    IReadOnlyList<Expression> Eligibility,
    Expression Amount);
