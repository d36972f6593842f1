namespace OneCard.Domain.Notices;

/// <summary>What a notice tells; also the audit action of the event it reports.</summary>
public static class NoticeKinds
{
    public const string TaskReminded = nameof(TaskReminded);
    public const string TaskOverdue = nameof(TaskOverdue);
    public const string TaskEscalated = nameof(TaskEscalated);
    /// <summary>A case waiting in a System step (a bank's confirmation) past its time limit and grace was raised (issue 8).</summary>
    public const string StepEscalated = nameof(StepEscalated);
}

/// <summary>
/// One entry of a user's notice centre (通知中心). The recipients are resolved when the event happens (the role in the
/// region and above, as it is then), so each person has their own row and their own read state; a person who joins
/// later does not inherit old notices. At most one notice per task, kind and recipient.
/// </summary>
public sealed class Notice
{
    public Guid Id { get; init; }
    public required string RecipientId { get; init; }
    public required string Kind { get; init; }
    public required string SubjectKind { get; init; }
    public Guid SubjectId { get; init; }
    /// <summary>The case number staff know it by (e.g. the application number).</summary>
    public required string Reference { get; init; }
    public Guid? TaskId { get; init; }
    /// <summary>The region of the case, for display.</summary>
    public required string RegionCode { get; init; }
    public required string Text { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReadAt { get; set; }
}

/// <summary>Channels of an outbox message.</summary>
public static class OutboxChannels
{
    public const string Sms = "Sms";
    public const string Email = "Email";
    /// <summary>
    /// 站内: users have no phone number or e-mail address on record yet, so a message is addressed to the user id; an
    /// SMS or e-mail adapter maps it to a contact once users carry one.
    /// </summary>
    public const string InApp = "站内";
}

/// <summary>
/// A message waiting for an outside channel (SMS, e-mail) in the transactional outbox: written in the same transaction
/// as the event, drained by an adapter that claims a batch (<see cref="ClaimId"/> until <see cref="ClaimedUntil"/>),
/// delivers it and sets <see cref="SentAt"/>. A claim that expired unsent is taken again (<see cref="Attempts"/> counts).
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; init; }
    public required string Channel { get; init; }
    public required string Recipient { get; init; }
    public required string Text { get; init; }
    /// <summary>The notice it repeats, if any.</summary>
    public Guid? NoticeId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public Guid? ClaimId { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
}
