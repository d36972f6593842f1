namespace OneCard.Domain.Validation;

/// <summary>The stable codes carried by <see cref="FieldIssue.Code"/>; never rename one, only add.</summary>
public static class IssueCodes
{
    // Identity: GB 11643-1999 resident ID numbers. Errors unless marked.
    public const string IdEmpty = "IdEmpty";
    public const string IdLength = "IdLength";
    public const string IdCharset = "IdCharset";
    public const string IdProvince = "IdProvince";
    public const string IdBirthDateInvalid = "IdBirthDateInvalid";
    public const string IdBirthDateInFuture = "IdBirthDateInFuture";
    public const string IdChecksum = "IdChecksum";

    /// <summary>Warning: the 6-digit area code is not in the caller's GB/T 2260 list.</summary>
    public const string IdAreaCodeUnknown = "IdAreaCodeUnknown";

    // Banking: beneficiary account numbers (card or passbook). Errors unless marked.
    public const string BankAccountEmpty = "BankAccountEmpty";
    public const string BankAccountCharset = "BankAccountCharset";
    public const string BankAccountLength = "BankAccountLength";

    /// <summary>Warning: the number fails the Luhn check; real passbook accounts do, so the bank decides.</summary>
    public const string BankAccountLuhn = "BankAccountLuhn";
}
