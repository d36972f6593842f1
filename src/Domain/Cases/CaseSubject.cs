namespace OneCard.Domain.Cases;

/// <summary>
/// What a workflow instance runs for: an application today, a complaint, a payment correction or a
/// rule-set approval next. The engine moves instances; what a subject is belongs to its own tables.
/// </summary>
public readonly record struct CaseSubject(string Kind, Guid Id)
{
    public static CaseSubject Application(Guid id) => new(SubjectKinds.Application, id);

    public override string ToString() => $"{Kind}/{Id}";
}

/// <summary>The subject kinds instances run for; the audit log names them as entity types.</summary>
public static class SubjectKinds
{
    public const string Application = "Application";
    public const string Complaint = "Complaint";
    /// <summary>A rule set version's approval (maker-checker); the subject id is <c>RuleSetRecord.CaseId</c>.</summary>
    public const string RuleSet = "RuleSet";
    /// <summary>A payment batch from allocation to the bank's confirmation; the subject id is <c>PaymentBatch.Id</c>.</summary>
    public const string PaymentBatch = "PaymentBatch";
    /// <summary>The correction of a line the bank returned (退票); the subject id is the correction's id.</summary>
    public const string PaymentCorrection = "PaymentCorrection";
    /// <summary>An inspection campaign (事中随机抽查 / 事后专项核查) from draft to conclusion; the subject id is <c>InspectionCampaign.Id</c>.</summary>
    public const string InspectionCampaign = "InspectionCampaign";
    /// <summary>One sampled item of a campaign, inspected and reviewed; the subject id is <c>InspectionItem.Id</c>.</summary>
    public const string InspectionItem = "InspectionItem";
}
