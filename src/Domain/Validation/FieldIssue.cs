namespace OneCard.Domain.Validation;

/// <summary>One problem with one field of input. Messages: Chinese first (for users), English beside.</summary>
/// <param name="Field">The field name the caller passed in, e.g. "身份证号" or "idNumber".</param>
/// <param name="Code">A stable code from <see cref="IssueCodes"/>; code against this, never against the text.</param>
/// <param name="MessageZh">Text for case workers.</param>
/// <param name="MessageEn">The same text in English, for logs and non-Chinese readers.</param>
public sealed record FieldIssue(string Field, string Code, string MessageZh, string MessageEn);
