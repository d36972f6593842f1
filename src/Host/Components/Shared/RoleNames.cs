using AntDesign;
using OneCard.Domain.Users;
using OneCard.Host.Resources;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// Names of roles, workflow actions and line outcomes as the UI shows them, in the current UI culture (Ui.resx, Ui.en.resx).
/// <see cref="Zh"/> is always Chinese: for texts the server stores or sends (notices, audit, refusals).
/// </summary>
public static class RoleNames
{
    /// <summary>The role's name in the current UI culture ("乡镇（街道）经办人" / "Township clerk"); an unknown role as itself.</summary>
    public static string Name(string role) => Ui.Resources.GetString("Role." + role, System.Globalization.CultureInfo.CurrentUICulture) ?? role;

    /// <summary>The role's Chinese name, whatever the culture.</summary>
    public static string Zh(string role) => Ui.Resources.GetString("Role." + role, Chinese) ?? role;

    private static readonly System.Globalization.CultureInfo Chinese = System.Globalization.CultureInfo.GetCultureInfo("zh-CN");

    /// <summary>A workflow action's name ("通过" / "Approve"); an unknown one as itself.</summary>
    public static string Action(string action) => Ui.Resources.GetString("Action." + action, System.Globalization.CultureInfo.CurrentUICulture) ?? action;

    /// <summary>Actions that need a comment; the server enforces it too (CommentRequired).</summary>
    public static bool NeedsComment(string action) => action is "Return" or "Reject";

    public static (string Text, TagColor Color) Outcome(string outcome) => outcome switch
    {
        "Eligible" => (Ui.T("Outcome.Eligible"), TagColor.Green),
        "Ineligible" => (Ui.T("Outcome.Ineligible"), TagColor.Orange),
        "Faulted" => (Ui.T("Outcome.Faulted"), TagColor.Magenta),
        "Rejected" => (Ui.T("Outcome.Rejected"), TagColor.Red),
        "Instructed" => (Ui.T("Outcome.Instructed"), TagColor.Blue),
        "Paid" => (Ui.T("Outcome.Paid"), TagColor.Cyan),
        "Failed" => (Ui.T("Outcome.Failed"), TagColor.Volcano),
        _ => (outcome, TagColor.Default),
    };

    public static string Sample(string? result) => result switch
    {
        "Pending" => Ui.T("Sample.Pending"),
        "Passed" => Ui.T("Sample.Passed"),
        "Failed" => Ui.T("Sample.Failed"),
        _ => "",
    };

    public static string Objection(string status) => status switch
    {
        "Open" => Ui.T("Objection.Open"),
        "Upheld" => Ui.T("Objection.Upheld"),
        "Dismissed" => Ui.T("Objection.Dismissed"),
        _ => status,
    };
}

/// <summary>Departments as the UI names them, in the current UI culture; an unknown code as itself.</summary>
public static class Departments
{
    public static string Name(string? code) => code is null ? ""
        : Ui.Resources.GetString("Department." + code, System.Globalization.CultureInfo.CurrentUICulture) ?? code;
}
