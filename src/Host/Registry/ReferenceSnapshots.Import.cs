using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Domain.Registry;
using OneCard.Host.Applications;
using OneCard.Workflows;

namespace OneCard.Host.Registry;

public static partial class ReferenceSnapshots
{
    public sealed partial class Handler
    {
        private const int MaxSourceLength = 100;
        private const int MaxPolicyLength = 64;

        /// <summary>
        /// Imports one file as the new current snapshot of (kind, region, policy). Two passes over the spooled file: the
        /// first checks every row (nothing is written, no lock held); only a clean file is read again, hashed row by row and
        /// stored, in one transaction that marks the current snapshot replaced before adding the new one and appends one
        /// audit entry. The very same file (same SHA-256) as the current snapshot of the key answers that snapshot and
        /// writes nothing.
        /// </summary>
        public async Task<ImportOutcome> ImportAsync(ReferenceKind kind, string regionCode, string? policyCode, string source, DateOnly asOf,
            Stream file, string fileName, CancellationToken ct)
        {
            var scope = Scope();
            var actor = user.ActorId;
            var today = WorkingDayCalendar.LocalDate(time.GetUtcNow());
            regionCode = regionCode?.Trim() ?? "";
            source = source?.Trim() ?? "";
            var policy = kind == ReferenceKind.PolicyRecipients ? policyCode?.Trim() ?? "" : "";
            fileName = Path.GetFileName(fileName ?? "");
            if (fileName.Length > 260) fileName = fileName[^260..];

            // The import's own fields: refused before the file is read, each naming its field.
            if (regions.Find(regionCode) is null)
                throw Invalid("SnapshotRegionUnknown", $"地区代码“{LineErrors.Echo(regionCode)}”不是辽宁省的有效地区代码（字段 regionCode）",
                    $"'{LineErrors.Echo(regionCode)}' is not a known Liaoning region code.");
            if (scope is not null && !scope.Contains(regionCode))
                throw new OneCardException(ErrorKind.Forbidden, "SnapshotRegionOutsideScope",
                    $"地区“{regions.FullName(regionCode)}”不在您的管辖范围内，只能导入本级及下级地区的数据", $"{regionCode} is outside your region.");
            if (source.Length == 0 || source.Length > MaxSourceLength || source.Any(char.IsControl))
                throw Invalid("SnapshotSourceInvalid", $"数据来源不能为空且不超过{MaxSourceLength}个字符（字段 source，如 辽宁省公安厅）", "source is required (at most 100 characters).");
            if (kind == ReferenceKind.PolicyRecipients && (policy.Length == 0 || policy.Length > MaxPolicyLength || policy.Any(char.IsControl)))
                throw Invalid("SnapshotPolicyInvalid", $"其他政策享受人员须填写政策代码（字段 policyCode，不超过{MaxPolicyLength}个字符）",
                    "policyCode is required for PolicyRecipients (at most 64 characters).");
            if (asOf > today)
                throw Invalid("SnapshotAsOfInFuture", $"数据截止日期 {Iso(asOf)} 晚于今天（{Iso(today)}）（字段 asOf）", "asOf is after today.");

            var (spooled, sha256) = await SpoolAsync(file, ct);
            await using var _ = spooled;
            var mapper = new RowMapper(kind, regionCode, policy, asOf, today, regions.Codes, _ => "");

            // Pass 1: check every row; collect every error.
            spooled.Position = 0;
            var roster = RosterReader.Open(spooled, fileName);
            var errors = new LineErrors();
            var rows = 0;
            if (mapper.CheckHeaders(roster.Headers, roster.EncodingZh, errors))
                foreach (var row in roster.Rows(errors))
                {
                    rows++;
                    mapper.Map(Guid.Empty, row, errors);
                }
            if (errors.Total == 0 && rows == 0)
                errors.Add(2, Columns.IdNumber, "SnapshotEmpty", "文件没有数据行（第1行为表头，从第2行起每行一人）", "The file has no data rows.");
            if (errors.Total > 0) return new ImportOutcome(null, errors, rows, EncodingZh: roster.EncodingZh);
            var encoding = roster.Encoding ?? "xlsx";

            var now = time.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await LockKeyAsync(kind, regionCode, policy, ct);
            var current = await db.ReferenceSnapshots
                .SingleOrDefaultAsync(s => s.Kind == kind && s.RegionCode == regionCode && s.PolicyCode == policy && s.ReplacedBy == null, ct);
            if (current is not null && current.FileSha256 == sha256)
                return new ImportOutcome((await ViewsAsync([current], ct))[0], errors, rows, AlreadyImported: true, roster.EncodingZh);

            var snapshot = new ReferenceSnapshot
            {
                Id = Guid.CreateVersion7(now), Kind = kind, RegionCode = regionCode, PolicyCode = policy, Source = source, AsOf = asOf,
                FileName = fileName, FileSha256 = sha256, Encoding = encoding, RowCount = rows, ImportedBy = actor, ImportedAt = now,
            };
            // The replaced one first: the filtered unique index allows one current snapshot per key at any moment.
            if (current is not null)
            {
                current.ReplacedBy = snapshot.Id;
                current.ReplacedAt = now;
                await db.SaveChangesAsync(ct);
            }
            db.ReferenceSnapshots.Add(snapshot);
            await db.SaveChangesAsync(ct);

            // Pass 2: the same rows, now hashed and stored.
            spooled.Position = 0;
            var stored = new RowMapper(kind, regionCode, policy, asOf, today, regions.Codes, protector.LookupHash);
            var again = RosterReader.Open(spooled, fileName);
            var unexpected = new LineErrors(keep: 1);
            var records = again.Rows(unexpected).Select(row => stored.Map(snapshot.Id, row, unexpected)
                ?? throw new InvalidOperationException($"Row {row.Row} passed the check but not the store."));
            var written = await StoreAsync(records, ct);
            if (written != rows || unexpected.Total > 0)
                throw new InvalidOperationException($"The store wrote {written} rows of {rows} checked.");

            await audit.AppendAsync(db, actor, ImportedCode, nameof(ReferenceSnapshot), snapshot.Id.ToString(), regionCode, new
            {
                kind = kind.ToString(), region = regionCode, policy, source, asOf = Iso(asOf), rows, sha256, fileName, encoding,
                replaced = current?.Id,
            }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new ImportOutcome((await ViewsAsync([snapshot], ct))[0], errors, rows, AlreadyImported: false, roster.EncodingZh);
        }

        /// <summary>Two imports of the same key wait for each other (PostgreSQL; SQLite has a single writer).</summary>
        private async Task LockKeyAsync(ReferenceKind kind, string regionCode, string policy, CancellationToken ct)
        {
            if (!db.IsPostgres) return;
            var key = $"reference-snapshot|{kind}|{regionCode}|{policy}";
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", ct);
        }

        private static OneCardException Invalid(string code, string zh, string en) => new(ErrorKind.Invalid, code, zh, en);
    }
}
