namespace OneCard.Host.Cases.Vocabulary;

/// <summary>Reject claim lines with a reason (review steps); implemented by <c>ActOnCase.Handler.RejectLinesAsync</c>.</summary>
public sealed class RejectLines : ILineAction
{
    public const string Key = nameof(RejectLines);
    public string Name => Key;
}

/// <summary>Record the on-site check of a sampled line; implemented by <c>ActOnCase.Handler.RecordSampleResultAsync</c>.</summary>
public sealed class RecordSampleResult : ILineAction
{
    public const string Key = nameof(RecordSampleResult);
    public string Name => Key;
}

/// <summary>Uphold or dismiss objections; implemented by <c>ActOnCase.Handler.ResolveObjectionsAsync</c>.</summary>
public sealed class ResolveObjection : ILineAction
{
    public const string Key = nameof(ResolveObjection);
    public string Name => Key;
}
