using OneCard.Domain.Cases;

namespace OneCard.Host.Cases;

/// <summary>
/// Where a case opens in the web UI, by subject kind (relative to the app base): an application has its own page, every
/// other kind the engine's generic case page. The inbox, the notice centre and the supervisor's lists all link through it.
/// </summary>
public static class CaseLinks
{
    public static string For(string subjectKind, Guid subjectId) => subjectKind switch
    {
        SubjectKinds.Application => $"applications/{subjectId}",
        SubjectKinds.PaymentBatch => $"finance/batches/{subjectId}",
        SubjectKinds.PaymentCorrection => $"corrections/{subjectId}",
        SubjectKinds.InspectionCampaign => $"inspections/{subjectId}",
        SubjectKinds.InspectionItem => $"inspections/items/{subjectId}",
        _ => $"cases/{subjectKind}/{subjectId}",
    };
}
