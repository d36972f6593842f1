using System.Linq.Expressions;
using System.Reflection;

namespace OneCard.Rules.Expressions;

/// <summary>What a rule expression may touch: value types, named methods and members, node kinds.</summary>
/// <remarks>By name and by declaring type, never "anything on a registered type": registering a type in RulesEngine
/// also registers its base types, which is how <c>object.GetType()</c> becomes reachable.</remarks>
internal static class AllowList
{
    private static readonly HashSet<Type> Scalars =
    [
        typeof(bool), typeof(char), typeof(string),
        typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(float), typeof(double), typeof(decimal),
        typeof(DateTime), typeof(DateOnly), typeof(TimeSpan),
    ];

    private static readonly HashSet<Type> Numerics =
    [
        typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(float), typeof(double), typeof(decimal),
    ];

    public static readonly HashSet<Type> ConstructibleTypes = [typeof(DateOnly), typeof(DateTime)];

    public static readonly HashSet<ExpressionType> NodeTypes =
    [
        ExpressionType.Add, ExpressionType.AddChecked, ExpressionType.Subtract, ExpressionType.SubtractChecked,
        ExpressionType.Multiply, ExpressionType.MultiplyChecked, ExpressionType.Divide, ExpressionType.Modulo,
        ExpressionType.Negate, ExpressionType.NegateChecked, ExpressionType.UnaryPlus, ExpressionType.Power,
        ExpressionType.Not, ExpressionType.And, ExpressionType.Or, ExpressionType.ExclusiveOr,
        ExpressionType.AndAlso, ExpressionType.OrElse,
        ExpressionType.Equal, ExpressionType.NotEqual, ExpressionType.LessThan, ExpressionType.LessThanOrEqual,
        ExpressionType.GreaterThan, ExpressionType.GreaterThanOrEqual,
        ExpressionType.Coalesce, ExpressionType.Conditional,
        ExpressionType.Constant, ExpressionType.Parameter, ExpressionType.MemberAccess, ExpressionType.Call,
        ExpressionType.Lambda, ExpressionType.Quote, ExpressionType.Convert, ExpressionType.ConvertChecked,
        ExpressionType.NewArrayInit, ExpressionType.ArrayIndex, ExpressionType.ArrayLength, ExpressionType.New,
    ];

    // By name, so that a new overload or a dangerous sibling (PadLeft, Replace, Insert, Split, Format, Join) stays out.
    private static readonly HashSet<string> StringInstanceMethods =
    [
        "Contains", "StartsWith", "EndsWith", "Substring", "Trim", "TrimStart", "TrimEnd",
        "ToUpper", "ToLower", "ToUpperInvariant", "ToLowerInvariant", "IndexOf", "LastIndexOf",
        "Equals", "CompareTo", "get_Chars", "ToString",
    ];

    private static readonly HashSet<string> StringStaticMethods = ["IsNullOrEmpty", "IsNullOrWhiteSpace", "Equals", "Compare", "Concat"];

    private static readonly HashSet<string> CharStaticMethods =
        ["IsDigit", "IsLetter", "IsLetterOrDigit", "IsWhiteSpace", "IsUpper", "IsLower", "IsAsciiDigit", "ToUpper", "ToLower"];

    private static readonly HashSet<string> NumericInstanceMethods = ["CompareTo", "Equals", "ToString"];

    private static readonly HashSet<string> NumericStaticMethods = ["Parse", "Abs", "Max", "Min", "Round", "Truncate", "Floor", "Ceiling", "Sign"];

    private static readonly HashSet<string> DateInstanceMethods = ["AddDays", "AddMonths", "AddYears", "CompareTo", "Equals", "Subtract", "ToString"];

    private static readonly HashSet<string> DateStaticMethods = ["DaysInMonth", "IsLeapYear", "Compare"];

    private static readonly HashSet<string> EnumerableMethods = ["Any", "All", "Contains", "Count", "Sum", "Min", "Max", "Where", "Select"];

    private static readonly Dictionary<Type, HashSet<string>> Members = new()
    {
        [typeof(string)] = ["Length", "Empty"],
        [typeof(DateTime)] = ["Year", "Month", "Day", "Date", "DayOfYear", "MinValue", "MaxValue"],
        [typeof(DateOnly)] = ["Year", "Month", "Day", "DayNumber", "DayOfYear", "MinValue", "MaxValue"],
        [typeof(TimeSpan)] = ["Days", "TotalDays", "Zero"],
        [typeof(Math)] = ["PI", "E"],
    };

    public static bool IsScalar(Type t) => Scalars.Contains(Nullable.GetUnderlyingType(t) ?? t);

    /// <summary>Scalars, and arrays or sequences of scalars (what Where/Select produce).</summary>
    public static bool IsValueType(Type t)
    {
        if (IsScalar(t))
        {
            return true;
        }

        if (t.IsArray)
        {
            return t.GetArrayRank() == 1 && IsScalar(t.GetElementType()!);
        }

        return t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>) && IsScalar(t.GetGenericArguments()[0]);
    }

    public static bool IsAllowedMethod(MethodInfo m)
    {
        var type = m.DeclaringType;
        if (type is null || m.ReturnType == typeof(void))
        {
            return false;
        }

        // Every parameter must be a plain value (or a lambda over plain values, for Enumerable): no enums, no
        // IFormatProvider, no StringComparison, no object.
        if (!m.GetParameters().All(p => IsValueType(p.ParameterType) || IsScalarFunc(p.ParameterType)))
        {
            return false;
        }

        if (type == typeof(Fn))
        {
            return m.IsStatic && m.IsPublic;
        }

        if (type == typeof(string))
        {
            if (!m.IsStatic)
            {
                // ToString(format) on a string does not exist; on numbers a format like "D999999999" allocates a GB.
                // IndexOf(string) is a culture-sensitive (ICU) search, quadratic in practice: only the char overloads;
                // Contains(string) is the ordinal substring test.
                return StringInstanceMethods.Contains(m.Name)
                    && (m.Name != "ToString" || m.GetParameters().Length == 0)
                    && (m.Name is not ("IndexOf" or "LastIndexOf") || m.GetParameters()[0].ParameterType == typeof(char));
            }

            // Concat of 2–4 strings is "+"; the IEnumerable overloads are how Repeat became 400 MB.
            return StringStaticMethods.Contains(m.Name)
                && (m.Name != "Concat" || (m.GetParameters().Length <= 4 && m.GetParameters().All(p => p.ParameterType == typeof(string))));
        }

        if (type == typeof(char))
        {
            return m.IsStatic && CharStaticMethods.Contains(m.Name);
        }

        if (Numerics.Contains(type))
        {
            return m.IsStatic
                ? NumericStaticMethods.Contains(m.Name)
                : NumericInstanceMethods.Contains(m.Name) && (m.Name != "ToString" || m.GetParameters().Length == 0);
        }

        if (type == typeof(DateTime) || type == typeof(DateOnly) || type == typeof(TimeSpan))
        {
            return m.IsStatic
                ? DateStaticMethods.Contains(m.Name)
                : DateInstanceMethods.Contains(m.Name) && (m.Name != "ToString" || m.GetParameters().Length == 0);
        }

        if (type == typeof(Math))
        {
            return true;
        }

        if (type == typeof(Enumerable))
        {
            // Range and Repeat are absent: they manufacture unbounded sequences from two integers.
            return EnumerableMethods.Contains(m.Name)
                && (!m.IsGenericMethod || m.GetGenericArguments().All(IsScalar));
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Nullable<>))
        {
            return m.Name == "GetValueOrDefault" && m.GetParameters().Length == 0;
        }

        return false;
    }

    public static bool IsAllowedMember(MemberInfo member)
    {
        var type = member.DeclaringType;
        if (type is null)
        {
            return false;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Nullable<>))
        {
            return member.Name is "HasValue" or "Value";
        }

        if (Numerics.Contains(type))
        {
            return member.Name is "MaxValue" or "MinValue";
        }

        return Members.TryGetValue(type, out var names) && names.Contains(member.Name);
    }

    private static bool IsScalarFunc(Type t) =>
        t.IsGenericType
        && t.GetGenericTypeDefinition() is var d
        && (d == typeof(Func<,>) || d == typeof(Func<,,>))
        && t.GetGenericArguments().All(IsScalar);
}
