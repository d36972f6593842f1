using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Inspections;

namespace OneCard.Persistence;

// inspections (issue 9 item 4): campaigns, their recorded populations, sampled items and evidence files.
public abstract partial class OneCardDbContext
{
    public DbSet<InspectionCampaign> InspectionCampaigns => Set<InspectionCampaign>();
    public DbSet<InspectionPopulationMember> InspectionPopulationMembers => Set<InspectionPopulationMember>();
    public DbSet<InspectionItem> InspectionItems => Set<InspectionItem>();
    public DbSet<InspectionAttachment> InspectionAttachments => Set<InspectionAttachment>();

    private void ConfigureInspections(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InspectionCampaign>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Number).IsUnique();
            e.HasIndex(x => new { x.RegionCode, x.CreatedAt });
            e.Property(x => x.Number).HasMaxLength(64);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(24);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Title).HasMaxLength(100);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Period).HasMaxLength(16);
            e.Property(x => x.CriteriaJson).HasMaxLength(4000);
            e.Property(x => x.Share).HasPrecision(5, 4);
            e.Property(x => x.SeedSource).HasMaxLength(16);
            e.Property(x => x.Algorithm).HasMaxLength(128);
            e.Property(x => x.PopulationSha256).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(64);
            e.Property(x => x.DrawnBy).HasMaxLength(64);
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || x.PolicyCode == null || Policies.Any(p => p.Code == x.PolicyCode && p.DepartmentCode == Department)));
        });
        // The population as drawn: the draw is redone over these rows, and a fresh selection is compared with them.
        modelBuilder.Entity<InspectionPopulationMember>(e =>
        {
            e.HasKey(x => new { x.CampaignId, x.Key });
            e.Property(x => x.Stratum).HasMaxLength(12);
            e.HasOne<InspectionCampaign>().WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<InspectionItem>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.CampaignId, x.Seq }).IsUnique();
            // A key is sampled once per campaign; a re-run draw effect cannot add it twice.
            e.HasIndex(x => new { x.CampaignId, x.SampledKey }).IsUnique();
            e.HasIndex(x => new { x.ApplicationId, x.Finding });
            e.HasIndex(x => x.ClaimLineId);
            e.Property(x => x.Reference).HasMaxLength(96);
            e.Property(x => x.Stratum).HasMaxLength(12);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.ChecklistJson).HasMaxLength(8000);
            e.Property(x => x.Finding).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.FindingText).HasMaxLength(1000);
            e.Property(x => x.Inspector).HasMaxLength(64);
            e.HasOne<InspectionCampaign>().WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ClaimLine>().WithMany().HasForeignKey(x => x.ClaimLineId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(x => (Scope == null || x.Stratum.StartsWith(Scope))
                && (Department == null || x.PolicyCode == null || Policies.Any(p => p.Code == x.PolicyCode && p.DepartmentCode == Department)));
        });
        modelBuilder.Entity<InspectionAttachment>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.ItemId);
            e.Property(x => x.FileName).HasMaxLength(200);
            e.Property(x => x.ContentType).HasMaxLength(64);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.Property(x => x.UploadedBy).HasMaxLength(64);
            e.HasOne<InspectionItem>().WithMany().HasForeignKey(x => x.ItemId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}
