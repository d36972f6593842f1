using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OneCard.Persistence;

/// <summary>
/// How a blind index (<c>PersonalDataProtector.LookupHash</c>: HMAC-SM3, 32 bytes) is stored: as its 32 bytes (<c>bytea</c> on
/// PostgreSQL, a BLOB on SQLite), while the model keeps the lowercase hex text the protector returns. Half the width of the 64
/// characters it was stored as until migration <c>BlindIndexBytes</c>: measured on PostgreSQL (bench/blind-index-width.sql,
/// bench/REGISTRY.md) inserting 5,000,000 keyed rows took 0.83× the time, the key index 0.61× the space and a hash join of a
/// million lines against them 0.51× the time.
/// </summary>
/// <remarks>
/// Every column that is joined with another holds the same form: <c>Beneficiaries.IdNumberHash</c>, <c>ReferenceRecords.IdNumberHash</c>
/// and <c>.AccountHash</c>, <c>BeneficiaryAccounts.AccountHash</c>. SQL that writes them outside EF writes bytes
/// (<see cref="ToBytes"/>); EF queries compare through the converter, so callers keep passing hex text.
/// </remarks>
public static class BlindIndexColumn
{
    /// <summary>The model's hex text ↔ the stored bytes. A value that is not hex fails loudly rather than being stored as text.</summary>
    public static readonly ValueConverter<string, byte[]> Converter = new(v => ToBytes(v), v => ToHex(v));

    /// <summary>The same converter for an optional column (EF never passes it a null).</summary>
    public static ValueConverter NullableConverter => Converter;

    /// <summary>The stored form of a hex blind index, for COPY and raw SQL.</summary>
    public static byte[] ToBytes(string hex) => Convert.FromHexString(hex);

    /// <summary>The model's form of stored bytes.</summary>
    public static string ToHex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
