using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UserRoles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UserRoles",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    GrantedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    GrantedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserRoles", x => new { x.UserId, x.Role });
                    table.ForeignKey(
                        name: "FK_UserRoles_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_UserRoles_Role",
                table: "UserRoles",
                column: "Role");

            // Each user's one role becomes their first grant (by "migration", now); only then does the old column go.
            migrationBuilder.Sql("""
                INSERT INTO "UserRoles" ("UserId", "Role", "GrantedBy", "GrantedAt")
                SELECT "Id", "Role", 'migration', CAST(strftime('%s', 'now') AS INTEGER) * 10000000 + 621355968000000000 FROM "Users" WHERE "Role" <> ''
                """);

            migrationBuilder.DropColumn(
                name: "Role",
                table: "Users");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Role",
                table: "Users",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            // Back to one role per user: the first held, in the order of Roles.Human (a user's other roles are lost).
            migrationBuilder.Sql("""
                UPDATE "Users" SET "Role" = COALESCE((SELECT ur."Role" FROM "UserRoles" ur WHERE ur."UserId" = "Users"."Id"
                    ORDER BY CASE ur."Role" WHEN 'TownshipClerk' THEN 0 WHEN 'CountyReviewer' THEN 1 WHEN 'Inspector' THEN 2 WHEN 'FinanceReviewer' THEN 3 WHEN 'Supervisor' THEN 4 WHEN 'Administrator' THEN 5 WHEN 'PolicyOfficer' THEN 6 ELSE 7 END, ur."Role" LIMIT 1), '')
                """);

            migrationBuilder.DropTable(
                name: "UserRoles");
        }
    }
}
