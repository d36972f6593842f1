using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Beneficiaries;
using OneCard.Domain.Identity;
using OneCard.Domain.Privacy;
using OneCard.Domain.Regions;
using OneCard.Domain.Registry;
using OneCard.Host.Applications;
using OneCard.Host.Platform;
using OneCard.Workflows;

namespace OneCard.Host.Registry;

public static partial class Households
{
    public sealed partial class Handler
    {
        private const int MaxNumberLength = 32;

        /// <summary>One checked row of the file.</summary>
        private sealed record Row(int RowNo, string Number, string Name, IdNumberCheck Id, HouseholdRelation Relation, string RegionCode);

        /// <summary>
        /// Imports a township's household file: every row checked and located (bad ID, duplicate person, a household without
        /// or with two heads, a 户号 of another township of the county, a person in another household the file does not list),
        /// then, only if all is well, in one transaction: unknown people created as beneficiaries, each listed household
        /// replaced whole (members removed, the file's added), one audit entry without personal data.
        /// </summary>
        public async Task<ImportOutcome> ImportAsync(string? township, Stream file, string fileName, CancellationToken ct)
        {
            var code = CheckTownship(township, write: true);
            var county = RegionScope.CountyOf(code);
            var today = WorkingDayCalendar.LocalDate(time.GetUtcNow());
            fileName = Path.GetFileName(fileName ?? "");
            using var buffer = new MemoryStream();
            var (_, sha256) = await Uploads.CopyCappedAsync(file, buffer, MaxUploadBytes, ct);
            buffer.Position = 0;
            var roster = RosterReader.Open(buffer, fileName);
            var errors = new LineErrors();
            void Error(int row, string field, string codeName, string zh, string en) => errors.Add(row, field, codeName, zh, en);

            foreach (var column in new[] { Columns.Number, Columns.Name, Columns.IdNumber, Columns.Relation }.Where(c => !roster.Headers.Contains(c)))
                Error(1, column, "HouseholdColumnMissing", $"表头缺少“{column}”列{(roster.EncodingZh is { } enc ? $"（{enc}）" : "")}", $"The header has no '{column}' column.");
            if (errors.Total > 0) return new ImportOutcome(null, errors, 0, roster.EncodingZh);

            var rows = new List<Row>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var count = 0;
            foreach (var raw in roster.Rows(errors))
            {
                count++;
                string Cell(string name) => raw.Cells.TryGetValue(name, out var v) ? v.Trim() : "";
                var before = errors.Total;
                var number = Cell(Columns.Number);
                if (number.Length == 0) Error(raw.Row, Columns.Number, "HouseholdNumberMissing", "户号不能为空", "The household number is required.");
                else if (number.Length > MaxNumberLength || number.Any(char.IsControl))
                    Error(raw.Row, Columns.Number, "HouseholdNumberInvalid", $"户号不超过{MaxNumberLength}个字符且不含控制字符", "The household number is too long or has control characters.");
                var name = Cell(Columns.Name);
                if (name.Length == 0) Error(raw.Row, Columns.Name, "NameMissing", "姓名不能为空", "Name is required.");
                else if (name.Length > ClaimValidator.MaxNameLength || name.Any(char.IsControl))
                    Error(raw.Row, Columns.Name, "NameTooLong", $"姓名不超过{ClaimValidator.MaxNameLength}个字符且不含控制字符", "The name is too long or has control characters.");
                var id = IdNumber.Check(Cell(Columns.IdNumber), today, null, Columns.IdNumber);
                foreach (var issue in id.Errors) Error(raw.Row, Columns.IdNumber, issue.Code, issue.MessageZh, issue.MessageEn);
                if (id.IsValid && id.Normalized is { } normalized)
                {
                    if (seen.TryGetValue(normalized, out var first))
                        Error(raw.Row, Columns.IdNumber, "DuplicatePersonInFile", $"同一人在文件中出现两次（与第{first}行重复），一人只能属于一个家庭户",
                            $"The same person as row {first}; a person belongs to one household.");
                    else seen[normalized] = raw.Row;
                }
                var relation = HouseholdRelations.Parse(Cell(Columns.Relation));
                if (relation is null)
                    Error(raw.Row, Columns.Relation, "HouseholdRelationInvalid",
                        $"与户主关系“{LineErrors.Echo(Cell(Columns.Relation))}”无效，应为 {HouseholdRelations.AllZh} 之一", "Unknown relation to the head.");
                var region = Cell(Columns.Region);
                if (region.Length == 0) region = code;
                else if (!(region == code || (region.Length == 12 && region.StartsWith(code, StringComparison.Ordinal) && region.All(char.IsAsciiDigit))))
                    Error(raw.Row, Columns.Region, "HouseholdRegionOutsideTownship",
                        $"所属区划“{LineErrors.Echo(region)}”不是本乡镇（{regions.FullName(code)}，{code}）或其下属村（社区，12位）的代码",
                        "The region is neither the township nor one of its villages.");
                if (errors.Total == before) rows.Add(new Row(raw.Row, number, name, id, relation!.Value, region));
            }
            if (errors.Total == 0 && count == 0)
                Error(2, Columns.Number, "HouseholdFileEmpty", "文件没有数据行（第1行为表头，从第2行起每行一人）", "The file has no data rows.");

            // Each household: exactly one head, one region.
            var groups = rows.GroupBy(r => r.Number, StringComparer.Ordinal).ToList();
            foreach (var g in groups)
            {
                var heads = g.Where(r => r.Relation == HouseholdRelation.Head).ToList();
                if (heads.Count == 0)
                    Error(g.First().RowNo, Columns.Relation, "HouseholdWithoutHead", $"户号 {g.Key} 没有户主（每户须有且只有一名户主，第{string.Join("、", g.Select(r => r.RowNo))}行）",
                        $"Household {g.Key} has no head.");
                foreach (var extra in heads.Skip(1))
                    Error(extra.RowNo, Columns.Relation, "HouseholdWithTwoHeads", $"户号 {g.Key} 有两名户主（第{heads[0].RowNo}行和本行），每户只能有一名户主",
                        $"Household {g.Key} has a second head (first at row {heads[0].RowNo}).");
                foreach (var other in g.Where(r => r.RegionCode != g.First().RegionCode))
                    Error(other.RowNo, Columns.Region, "HouseholdRegionDiffers", $"同一户号 {g.Key} 的所属区划须一致（第{g.First().RowNo}行为 {g.First().RegionCode}）",
                        $"Household {g.Key} has two regions.");
            }

            // Against the registry: a number of another township of the county; a person in a household the file does not list.
            var numbers = groups.Select(g => g.Key).ToList();
            var existing = numbers.Count == 0 ? [] : await db.Households.IgnoreQueryFilters()
                .Where(h => h.CountyCode == county && numbers.Contains(h.Number)).ToListAsync(ct);
            foreach (var h in existing.Where(h => h.TownshipCode != code))
                Error(groups.First(g => g.Key == h.Number).First().RowNo, Columns.Number, "HouseholdNumberOfOtherTownship",
                    $"户号 {h.Number} 已是{regions.FullName(h.TownshipCode)}的家庭户（户号在本县内唯一），请核对户号",
                    $"Household {h.Number} belongs to township {h.TownshipCode}.");
            var hashes = rows.ToDictionary(r => protector.LookupHash(r.Id.Normalized!), r => r, StringComparer.Ordinal);
            var listed = existing.Where(h => h.TownshipCode == code).Select(h => h.Id).ToHashSet();
            var people = new Dictionary<string, Beneficiary>(StringComparer.Ordinal);
            foreach (var chunk in hashes.Keys.Chunk(RegistryFacts.ChunkSize))
            {
                foreach (var b in await db.Beneficiaries.IgnoreQueryFilters().Where(b => chunk.Contains(b.IdNumberHash)).ToListAsync(ct)) people[b.IdNumberHash] = b;
                var elsewhere = await (from b in db.Beneficiaries.IgnoreQueryFilters()
                                       where chunk.Contains(b.IdNumberHash)
                                       join m in db.HouseholdMembers.IgnoreQueryFilters() on b.Id equals m.BeneficiaryId
                                       join h in db.Households.IgnoreQueryFilters() on m.HouseholdId equals h.Id
                                       select new { b.IdNumberHash, h.Id, h.Number, h.TownshipCode }).ToListAsync(ct);
                foreach (var e in elsewhere.Where(e => !listed.Contains(e.Id)))
                {
                    var row = hashes[e.IdNumberHash];
                    Error(row.RowNo, Columns.IdNumber, "PersonInOtherHousehold",
                        $"该人员已是{regions.FullName(e.TownshipCode)}户号 {e.Number} 的成员（本文件未列出该户），一人只能属于一个家庭户；请先在该户的文件中将其移出",
                        $"The person is already a member of household {e.Number} ({e.TownshipCode}), which this file does not list.");
                }
            }
            if (errors.Total > 0) return new ImportOutcome(null, errors, count, roster.EncodingZh);

            var now = time.GetUtcNow();
            var actor = user.ActorId;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var created = 0;
            foreach (var (hash, row) in hashes)
            {
                if (people.TryGetValue(hash, out var known))
                {
                    known.IdAreaCode ??= row.Id.AreaCode;
                    continue;
                }
                var person = new Beneficiary
                {
                    Id = RowIds.Next(now), IdNumberHash = hash, IdNumberCipher = protector.Encrypt(row.Id.Normalized!),
                    IdNumberMasked = Masking.IdNumber(row.Id.Normalized), Name = row.Name, BirthDate = row.Id.BirthDate!.Value,
                    IsMale = row.Id.Gender == Gender.Male, IdAreaCode = row.Id.AreaCode, RegionCode = code, CreatedAt = now, UpdatedAt = now,
                };
                db.Beneficiaries.Add(person);
                people[hash] = person;
                created++;
            }
            // Replace: the listed households' members go first (a person moving between two listed households keeps the unique index).
            var replacedIds = listed.ToList();
            if (replacedIds.Count > 0)
                await db.HouseholdMembers.IgnoreQueryFilters().Where(m => replacedIds.Contains(m.HouseholdId)).ExecuteDeleteAsync(ct);
            var byNumber = existing.Where(h => h.TownshipCode == code).ToDictionary(h => h.Number, StringComparer.Ordinal);
            foreach (var g in groups)
            {
                var members = g.Select(r => (Row: r, Person: people[protector.LookupHash(r.Id.Normalized!)])).ToList();
                var head = members.Single(m => m.Row.Relation == HouseholdRelation.Head).Person;
                if (!byNumber.TryGetValue(g.Key, out var household))
                {
                    household = new Household
                    {
                        Id = RowIds.Next(now), Number = g.Key, CountyCode = county, TownshipCode = code, RegionCode = g.First().RegionCode,
                        UpdatedBy = actor, CreatedAt = now,
                    };
                    db.Households.Add(household);
                }
                household.RegionCode = g.First().RegionCode;
                household.HeadBeneficiaryId = head.Id;
                household.MemberCount = members.Count;
                household.UpdatedBy = actor;
                household.UpdatedAt = now;
                foreach (var (row, person) in members)
                    db.HouseholdMembers.Add(new HouseholdMember
                    {
                        Id = RowIds.Next(now), HouseholdId = household.Id, BeneficiaryId = person.Id, Relation = row.Relation, TownshipCode = code,
                    });
            }
            await db.SaveChangesAsync(ct);
            // No names or ID numbers: the numbers of the households and the counts say what changed.
            await audit.AppendAsync(db, actor, ImportedCode, nameof(Household), code, code, new
            {
                township = code, fileName, sha256, rows = count, households = groups.Count, members = rows.Count, replaced = replacedIds.Count,
                newPeople = created, numbers = numbers.Count <= 200 ? numbers : [.. numbers.Take(200), $"…共{numbers.Count}户"],
            }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new ImportOutcome(new ImportResult(code, regions.FullName(code), groups.Count, rows.Count, replacedIds.Count, created, roster.EncodingZh),
                errors, count, roster.EncodingZh);
        }
    }
}
