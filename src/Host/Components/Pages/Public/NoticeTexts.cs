using OneCard.Host.Publicity;
using OneCard.Host.Resources;

namespace OneCard.Host.Components.Pages.Public;

/// <summary>
/// A notice's words as the public pages show them, in the UI culture: the notice tables store the Chinese kind, status and
/// line status (the printed notice is Chinese by law); the page names them from the resources.
/// </summary>
public static class NoticeTexts
{
    public static string Status(string status) => status switch
    {
        PublicNotices.NotStarted => Ui.T("PublicNotice.Status.NotStarted"),
        PublicNotices.Open => Ui.T("PublicNotice.Status.Open"),
        PublicNotices.Ended => Ui.T("PublicNotice.Status.Ended"),
        PublicNotices.Published => Ui.T("PublicNotice.Status.Published"),
        _ => status,
    };

    public static bool IsPublicity(string kind) => kind == PublicNotices.PublicityKind;

    public static string Kind(string kind) => IsPublicity(kind) ? Ui.T("PublicNotice.Kind.Publicity") : Ui.T("PublicNotice.Kind.Publication");

    public static string LineStatus(string status) => status switch
    {
        "拟发放" => Ui.T("PublicNotice.LineStatus.Proposed"),
        "已发放" => Ui.T("PublicNotice.LineStatus.Paid"),
        _ => status,
    };
}
