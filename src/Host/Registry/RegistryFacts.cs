using Microsoft.EntityFrameworkCore;
using OneCard.Host.Applications;
using OneCard.Persistence;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.Registry;

/// <summary>
/// The registry-sourced facts of a rule set (<see cref="FactDefinition.Source"/>), added to claim lines before they are evaluated:
/// the household facts (<c>household.memberCount</c>, <c>household.isHead</c>, <c>household.membersUnder16</c>,
/// <c>household.membersAged60Plus</c>) read from the household registry, and every <c>crossCheck.&lt;Kind&gt;</c> fact set to false
/// (the checks run after the lines are stored; <see cref="CheckFacts"/> re-evaluates the lines they hit).
/// </summary>
/// <remarks>
/// Set-based: one query per chunk of <see cref="ChunkSize"/> ID hashes (the members of the lines' households come with it), never
/// one per line. A rule set that declares any household fact needs every line's person in a household; one that declares
/// <c>household.isHead</c> lets only the head claim (家庭户 policies are paid once per household, to its head): either miss is
/// the line's located error, like a bad ID number.
/// </remarks>
public static class RegistryFacts
{
    /// <summary>One line to fill: its row (for the error), its person's blind index, and its facts (added to in place).</summary>
    public sealed record Subject(int Row, string IdNumberHash, IDictionary<string, object?> Facts);

    /// <summary>How many ID hashes one query reads (well inside SQLite's and PostgreSQL's parameter limits).</summary>
    public const int ChunkSize = 1000;

    /// <summary>The column errors point at.</summary>
    public const string Field = ClaimValidator.Columns.IdNumber;

    /// <summary>True when the rule set declares any registry-sourced fact (only then is there anything to fill).</summary>
    public static bool Declares(RuleSet ruleSet) => ruleSet.Facts.Any(f => f.Source is not null);

    /// <summary>Adds the declared registry facts to each line; returns the located errors of lines that cannot have them.</summary>
    public static async Task<IReadOnlyList<LineError>> FillAsync(OneCardDbContext db, RuleSet ruleSet, IReadOnlyList<Subject> lines, CancellationToken ct)
    {
        var sourced = ruleSet.Facts.Where(f => f.Source is not null).ToList();
        if (sourced.Count == 0 || lines.Count == 0) return [];
        foreach (var fact in sourced.Where(f => FactSources.CrossCheckOf(f.Source) is not null))
            foreach (var line in lines) line.Facts[fact.Name] = false;

        var household = sourced.Where(f => FactSources.IsHousehold(f.Source)).ToList();
        if (household.Count == 0) return [];
        var needBirths = household.Any(f => f.Source is FactSources.HouseholdMembersUnder16 or FactSources.HouseholdMembersAged60Plus);
        var headOnly = household.Any(f => f.Source == FactSources.HouseholdIsHead);

        var found = new Dictionary<string, Membership>(StringComparer.Ordinal);
        foreach (var chunk in lines.Select(l => l.IdNumberHash).Distinct(StringComparer.Ordinal).Chunk(ChunkSize))
            foreach (var m in await ReadAsync(db, chunk, needBirths, ct))
                found[m.Hash] = m;

        var errors = new List<LineError>();
        foreach (var line in lines)
        {
            if (!found.TryGetValue(line.IdNumberHash, out var m))
            {
                errors.Add(new LineError(line.Row, Field, "NotInHousehold",
                    "该人员未登记在任何家庭户中（家庭户底册），无法取得本政策所需的户人口数等事实，请乡镇先导入其家庭户",
                    "The person is in no household of the registry; the township must import the household first."));
                continue;
            }
            if (headOnly && !m.IsHead)
            {
                errors.Add(new LineError(line.Row, Field, "NotHouseholdHead",
                    $"该人员不是已登记家庭的户主（户号 {m.Number}），本政策只能由户主申报",
                    $"The person is not the head of their registered household ({m.Number}); only the head may claim."));
                continue;
            }
            var asOf = line.Facts.TryGetValue("AsOf", out var a) && a is DateOnly d ? d : (DateOnly?)null;
            foreach (var fact in household)
                line.Facts[fact.Name] = fact.Source switch
                {
                    FactSources.HouseholdMemberCount => m.MemberCount,
                    FactSources.HouseholdIsHead => m.IsHead,
                    FactSources.HouseholdMembersUnder16 => asOf is { } day ? m.Births.Count(b => Age(b, day) < 16) : null,
                    FactSources.HouseholdMembersAged60Plus => asOf is { } day ? m.Births.Count(b => Age(b, day) >= 60) : null,
                    _ => null,
                };
        }
        return errors;
    }

    /// <summary>A person's household as the facts need it.</summary>
    private sealed record Membership(string Hash, string Number, bool IsHead, int MemberCount, IReadOnlyList<DateOnly> Births);

    // ONE query for the chunk: the people, their household, and (when asked) every member's birth date as a correlated
    // collection, which EF sends in the same statement (single-query mode, joined and ordered).
    private static async Task<List<Membership>> ReadAsync(OneCardDbContext db, string[] hashes, bool births, CancellationToken ct)
    {
        var rows = from b in db.Beneficiaries.IgnoreQueryFilters()
                   where hashes.Contains(b.IdNumberHash)
                   join m in db.HouseholdMembers.IgnoreQueryFilters() on b.Id equals m.BeneficiaryId
                   join h in db.Households.IgnoreQueryFilters() on m.HouseholdId equals h.Id
                   select new { b.IdNumberHash, h.Id, h.Number, IsHead = h.HeadBeneficiaryId == b.Id, h.MemberCount };
        if (!births)
            return [.. (await rows.AsNoTracking().ToListAsync(ct)).Select(r => new Membership(r.IdNumberHash, r.Number, r.IsHead, r.MemberCount, []))];
        var withBirths = await (from r in rows
                                select new
                                {
                                    r.IdNumberHash, r.Number, r.IsHead, r.MemberCount,
                                    Births = (from x in db.HouseholdMembers.IgnoreQueryFilters()
                                              where x.HouseholdId == r.Id
                                              join p in db.Beneficiaries.IgnoreQueryFilters() on x.BeneficiaryId equals p.Id
                                              select p.BirthDate).ToList(),
                                }).AsNoTracking().AsSingleQuery().ToListAsync(ct);
        return [.. withBirths.Select(r => new Membership(r.IdNumberHash, r.Number, r.IsHead, r.MemberCount, r.Births))];
    }

    /// <summary>Full years of age on <paramref name="day"/>.</summary>
    public static int Age(DateOnly birth, DateOnly day) =>
        day.Year - birth.Year - (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) ? 1 : 0);
}
