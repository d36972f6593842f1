namespace OneCard.Domain.Beneficiaries;

/// <summary>
/// A person who receives subsidies. The ID and bank account numbers are stored SM4-encrypted,
/// with an SM3-HMAC of the ID number as the lookup key; masked forms are kept for display.
/// </summary>
public sealed class Beneficiary
{
    public Guid Id { get; init; }
    public required string IdNumberHash { get; init; }
    public required string IdNumberCipher { get; set; }
    public required string IdNumberMasked { get; set; }
    public required string Name { get; set; }
    public DateOnly BirthDate { get; set; }
    public bool IsMale { get; set; }
    /// <summary>The ID number's 6-digit area code (the county that issued it), stored once so checks never decrypt.</summary>
    public string? IdAreaCode { get; set; }
    public required string RegionCode { get; set; }
    public string? BankAccountCipher { get; set; }
    public string? BankAccountMasked { get; set; }
    public string? BankName { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}
