namespace OneCard.Domain;

/// <summary>
/// An enum member read from text by its name only. <c>Enum.TryParse</c> also accepts a number ("0", "9": any value, defined or
/// not) and a comma-separated list of names, so a request or a configuration file saying <c>"9"</c> would pass as a member no
/// code handles. Every reading of a user's or a file's enum text goes through here.
/// </summary>
public static class EnumNames
{
    /// <summary>True when <paramref name="text"/> (trimmed) is the name of a member of <typeparamref name="T"/>.</summary>
    public static bool TryParse<T>(string? text, out T value, bool ignoreCase = false) where T : struct, Enum
    {
        value = default;
        if (text is null) return false;
        var trimmed = text.Trim();
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var name in Enum.GetNames<T>())
        {
            if (!string.Equals(name, trimmed, comparison)) continue;
            value = Enum.Parse<T>(name);
            return true;
        }
        return false;
    }
}
