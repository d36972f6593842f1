using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Beneficiaries;
using OneCard.Domain.Registry;

namespace OneCard.Persistence;

// households (issue 9 item 1): the registry's households and their members, each member a beneficiary (the person registry).
public abstract partial class OneCardDbContext
{
    public DbSet<Household> Households => Set<Household>();
    public DbSet<HouseholdMember> HouseholdMembers => Set<HouseholdMember>();

    private void ConfigureHouseholds(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Household>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Number).HasMaxLength(32);
            e.Property(x => x.CountyCode).HasMaxLength(6);
            e.Property(x => x.TownshipCode).HasMaxLength(9);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.UpdatedBy).HasMaxLength(64);
            // 户号 is unique per county.
            e.HasIndex(x => new { x.CountyCode, x.Number }).IsUnique();
            e.HasIndex(x => x.TownshipCode);
            e.HasOne<Beneficiary>().WithMany().HasForeignKey(x => x.HeadBeneficiaryId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(x => Scope == null || x.TownshipCode.StartsWith(Scope));
        });
        modelBuilder.Entity<HouseholdMember>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Relation).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.TownshipCode).HasMaxLength(9);
            // A person belongs to at most one household.
            e.HasIndex(x => x.BeneficiaryId).IsUnique();
            e.HasIndex(x => x.HouseholdId);
            e.HasOne<Household>().WithMany().HasForeignKey(x => x.HouseholdId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Beneficiary>().WithMany().HasForeignKey(x => x.BeneficiaryId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(x => Scope == null || x.TownshipCode.StartsWith(Scope));
        });
    }
}
