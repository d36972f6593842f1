using System.Globalization;
using System.Resources;

namespace OneCard.Host.Resources;

/// <summary>
/// The user-facing texts of the UI and the API's problem titles: <c>Ui.resx</c> (neutral, Chinese, zh-CN) and
/// <c>Ui.en.resx</c> (English), one symbolic key per text (<c>Inbox.Title</c>). Components take
/// <c>IStringLocalizer&lt;Ui&gt;</c>; static helpers (role names, due dates, problem titles) read the same resources
/// through <see cref="T"/> in the current UI culture, which request localization sets per request (and Blazor per circuit).
/// </summary>
public sealed class Ui
{
    /// <summary>The compiled resources (the neutral ones in the host assembly, English in its <c>en</c> satellite assembly).</summary>
    public static ResourceManager Resources { get; } = new("OneCard.Host.Resources.Ui", typeof(Ui).Assembly);

    /// <summary>The text of <paramref name="key"/> in the current UI culture (the key itself if none: a missing key shows, it never throws).</summary>
    public static string T(string key) => T(key, CultureInfo.CurrentUICulture);

    public static string T(string key, CultureInfo culture) => Resources.GetString(key, culture) ?? key;

    /// <summary>The text of <paramref name="key"/> with its {0}, {1}… placeholders filled.</summary>
    public static string F(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, T(key), args);

    /// <summary>True when the current UI culture is English (the one language besides Chinese).</summary>
    public static bool English => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    /// <summary>One of a zh/en pair that data carries (a step's title, a policy's name, a domain error's message).</summary>
    public static string Pick(string zh, string? en) => English && !string.IsNullOrWhiteSpace(en) ? en : zh;
}
