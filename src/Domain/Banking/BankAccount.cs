using OneCard.Domain.Validation;

namespace OneCard.Domain.Banking;

/// <summary>Checks the form of a beneficiary's bank card or passbook number; only the paying bank can confirm it exists.</summary>
public static class BankAccount
{
    public const int MinLength = 12;
    public const int MaxLength = 19;

    /// <summary>Checks one account number. Validation results are data: this never throws for bad input.</summary>
    /// <param name="raw">The number as typed or imported; all whitespace is removed.</param>
    /// <param name="field">The field name to put into each <see cref="FieldIssue"/>.</param>
    /// <remarks>A Luhn failure is only a warning: real 一折通 passbooks and some debit cards fail it.
    /// The authority is the bank's account verification and its result file (回盘).</remarks>
    public static BankAccountCheck Check(string? raw, string field = "bankAccount")
    {
        var errors = new List<FieldIssue>();
        var warnings = new List<FieldIssue>();

        if (string.IsNullOrWhiteSpace(raw))
        {
            errors.Add(new FieldIssue(field, IssueCodes.BankAccountEmpty, "银行账号不能为空", "The bank account number is required"));
            return new BankAccountCheck(false, null, errors, warnings);
        }

        var account = string.Concat(raw.Where(c => !char.IsWhiteSpace(c)));

        if (account.Any(c => c is >= '０' and <= '９'))
        {
            errors.Add(new FieldIssue(field, IssueCodes.BankAccountCharset,
                "银行账号含全角数字，请改为半角数字",
                "The bank account number contains full-width digits; use half-width digits"));
        }
        else if (!account.All(char.IsAsciiDigit))
        {
            var bad = account.First(c => !char.IsAsciiDigit(c));
            errors.Add(new FieldIssue(field, IssueCodes.BankAccountCharset,
                $"银行账号只能包含数字，发现“{bad}”",
                $"The bank account number may contain digits only; found \"{bad}\""));
        }

        if (account.Length is < MinLength or > MaxLength)
        {
            errors.Add(new FieldIssue(field, IssueCodes.BankAccountLength,
                $"银行账号应为{MinLength}至{MaxLength}位，实为{account.Length}位",
                $"The bank account number must have {MinLength} to {MaxLength} digits, not {account.Length}"));
        }

        if (errors.Count > 0)
        {
            return new BankAccountCheck(false, null, errors, warnings);
        }

        if (!PassesLuhn(account))
        {
            warnings.Add(new FieldIssue(field, IssueCodes.BankAccountLuhn,
                "银行账号未通过Luhn校验，部分存折和借记卡属正常情况，请与代发银行核实",
                "The bank account number fails the Luhn check; some passbooks and debit cards do, so verify with the agent bank"));
        }

        return new BankAccountCheck(true, account, errors, warnings);
    }

    /// <summary>True when the digits pass the Luhn (ISO/IEC 7812) check; false for empty input or any non-digit.</summary>
    public static bool PassesLuhn(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty)
        {
            return false;
        }

        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var c = digits[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            var d = c - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }
}
