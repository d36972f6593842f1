using OneCard.Host.Resources;
using OneCard.Workflows;

namespace OneCard.Host.Components.Pages.Inspections;

/// <summary>
/// The inspection pages' names of server values in the UI culture: the views carry the Chinese name beside the code (KindZh,
/// FindingZh, StepTitle); in English the page names the code from the resources, or the step from its workflow definition.
/// </summary>
public static class InspectionTexts
{
    public static string Kind(string kind, string zh) => Ui.Pick(zh, Ui.T("Inspection.Kind." + kind));

    public static string Finding(string finding, string zh) => Ui.Pick(zh, Ui.T("Inspection.Finding." + finding));

    /// <summary>A step's title: the Chinese one the view carries, or in English the newest definition's title of that step.</summary>
    public static string Step(WorkflowCatalog workflows, string definitionId, string step, string zh) =>
        !Ui.English ? zh
        : Ui.Pick(zh, workflows.All.Where(d => d.DefinitionId == definitionId).OrderByDescending(d => d.Version)
            .Select(d => d.FindStep(step)).FirstOrDefault(s => s is not null)?.TitleEn);

    public const string CampaignWorkflow = "inspection-campaign", ItemWorkflow = "inspection-item";

    /// <summary>An action of the inspection workflows ("抽样" / "Draw"); others as the shared action names.</summary>
    public static string Action(string action) => action switch
    {
        "Draw" or "Conclude" => Ui.T("Inspection.Action." + action),
        "Submit" or "Approve" => Ui.T("Inspection.Action.Item" + action),
        _ => Components.Shared.RoleNames.Action(action),
    };
}
