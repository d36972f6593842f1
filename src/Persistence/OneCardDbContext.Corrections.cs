using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;

namespace OneCard.Persistence;

// correcting lines (issue 10 item 1): one row per corrected line, what changed and the outcome before and after.
public abstract partial class OneCardDbContext
{
    public DbSet<LineCorrection> LineCorrections => Set<LineCorrection>();

    private void ConfigureCorrections(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<LineCorrection>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.CorrectedAt });
            e.HasIndex(x => x.InstanceId);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Step).HasMaxLength(64);
            e.Property(x => x.Source).HasConversion<string>().HasMaxLength(8);
            e.Property(x => x.CorrectedBy).HasMaxLength(64);
            e.Property(x => x.NameMasked).HasMaxLength(64);
            e.Property(x => x.IdNumberMasked).HasMaxLength(32);
            e.Property(x => x.RuleSetKey).HasMaxLength(96);
            e.Property(x => x.OutcomeBefore).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.OutcomeAfter).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.AmountBefore).HasPrecision(18, 2);
            e.Property(x => x.AmountAfter).HasPrecision(18, 2);
            e.HasOne<Application>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ClaimLine>().WithMany().HasForeignKey(x => x.ClaimLineId).OnDelete(DeleteBehavior.Restrict);
            // Region scope, and only corrections of an application the user's department may see (its own filter decides).
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Applications.Any(a => a.Id == x.ApplicationId)));
        });
}
