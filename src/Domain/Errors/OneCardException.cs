namespace OneCard.Domain.Errors;

/// <summary>What kind of failure a domain error is; the host maps it to an HTTP status.</summary>
public enum ErrorKind { NotFound, Conflict, Forbidden, Invalid }

/// <summary>A domain error with a stable code and a message in Chinese first, English beside.</summary>
public sealed class OneCardException(ErrorKind kind, string code, string messageZh, string messageEn)
    : Exception(messageEn)
{
    public ErrorKind Kind { get; } = kind;
    public string Code { get; } = code;
    public string MessageZh { get; } = messageZh;
    public string MessageEn { get; } = messageEn;

    public static OneCardException NotFound(string what, string whatZh) =>
        new(ErrorKind.NotFound, "NotFound", $"未找到{whatZh}", $"{what} not found");
}
