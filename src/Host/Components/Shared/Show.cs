using System.Globalization;
using OneCard.Workflows;

namespace OneCard.Host.Components.Shared;

/// <summary>How the UI writes times and money: China time (+08:00) and yuan with two places.</summary>
public static class Show
{
    public static string ChinaTime(DateTimeOffset? at) =>
        at is { } t ? t.ToOffset(WorkingDayCalendar.Offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";

    public static string Yuan(decimal? amount) =>
        amount is { } a ? "¥" + a.ToString("#,##0.00", CultureInfo.InvariantCulture) : "—";
}
