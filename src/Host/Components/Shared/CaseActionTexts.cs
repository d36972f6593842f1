using OneCard.Host.Resources;
using OneCard.Workflows;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// What a workflow action will do, read from the definition the case is pinned to: the step(s) it leads to and whether it
/// needs a comment. The confirmation of every case action is built from this, never written per button.
/// </summary>
public static class CaseActionTexts
{
    /// <param name="Consequence">"通过后案件将转“县级主管部门审核”", or "驳回后案件将结束（已驳回），不能再办理".</param>
    /// <param name="CommentRequired">True when the definition requires a comment for this action in this step.</param>
    public sealed record Confirmation(string Title, string Consequence, bool CommentRequired);

    public static Confirmation For(WorkflowDefinition? definition, string step, string action)
    {
        var name = RoleNames.Action(action);
        var rows = definition?.Transitions.Where(t => t.From == step && t.Action == action).ToList() ?? [];
        var targets = rows.Select(t => t.To).Distinct().Select(to => definition!.Steps.FirstOrDefault(s => s.Name == to)).OfType<StepDefinition>().ToList();
        var consequence = targets switch
        {
            [] => Ui.F("Confirm.Irreversible", name),
            [{ IsFinal: true } end] => Ui.F("Confirm.Ends", name, Ui.Pick(end.TitleZh, end.TitleEn)),
            [var next] => Ui.F("Confirm.Next", name, Ui.Pick(next.TitleZh, next.TitleEn)),
            _ => Ui.F("Confirm.Either", name, string.Join(Ui.T("Confirm.Or"), targets.Select(t => Ui.F("Confirm.Quoted", Ui.Pick(t.TitleZh, t.TitleEn))))),
        };
        return new(Ui.F("Confirm.Title", name), consequence, rows.Any(t => t.CommentRequired));
    }
}
