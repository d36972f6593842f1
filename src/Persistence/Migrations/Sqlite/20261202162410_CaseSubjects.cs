using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseSubjects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WorkflowInstances_ApplicationId",
                table: "WorkflowInstances");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_InstanceId",
                table: "Tasks");

            migrationBuilder.RenameColumn(
                name: "ApplicationId",
                table: "WorkflowInstances",
                newName: "SubjectId");

            migrationBuilder.RenameColumn(
                name: "ApplicationId",
                table: "Tasks",
                newName: "SubjectId");

            migrationBuilder.AddColumn<string>(
                name: "PolicyCode",
                table: "WorkflowInstances",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reference",
                table: "WorkflowInstances",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SubjectKind",
                table: "WorkflowInstances",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "AssignedAt",
                table: "Tasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AssigneeId",
                table: "Tasks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "EscalateAt",
                table: "Tasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "EscalatedAt",
                table: "Tasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EscalatedToRegionCode",
                table: "Tasks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EscalatedToRole",
                table: "Tasks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PolicyCode",
                table: "Tasks",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubjectKind",
                table: "Tasks",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            // Every instance and task so far runs for an application: fill the subject columns from it.
            migrationBuilder.Sql("""
                UPDATE "WorkflowInstances" SET "SubjectKind" = 'Application',
                    "Reference" = COALESCE((SELECT a."Number" FROM "Applications" a WHERE a."Id" = "WorkflowInstances"."SubjectId"), ''),
                    "PolicyCode" = (SELECT a."PolicyCode" FROM "Applications" a WHERE a."Id" = "WorkflowInstances"."SubjectId");
                UPDATE "Tasks" SET "SubjectKind" = 'Application',
                    "PolicyCode" = (SELECT a."PolicyCode" FROM "Applications" a WHERE a."Id" = "Tasks"."SubjectId");
                """);

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowInstances_SubjectKind_SubjectId",
                table: "WorkflowInstances",
                columns: new[] { "SubjectKind", "SubjectId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_InstanceId_Step",
                table: "Tasks",
                columns: new[] { "InstanceId", "Step" },
                unique: true,
                filter: "\"Status\" = 'Open'");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Status_AssigneeId",
                table: "Tasks",
                columns: new[] { "Status", "AssigneeId" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_SubjectKind_SubjectId",
                table: "Tasks",
                columns: new[] { "SubjectKind", "SubjectId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WorkflowInstances_SubjectKind_SubjectId",
                table: "WorkflowInstances");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_InstanceId_Step",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Status_AssigneeId",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_SubjectKind_SubjectId",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "PolicyCode",
                table: "WorkflowInstances");

            migrationBuilder.DropColumn(
                name: "Reference",
                table: "WorkflowInstances");

            migrationBuilder.DropColumn(
                name: "SubjectKind",
                table: "WorkflowInstances");

            migrationBuilder.DropColumn(
                name: "AssignedAt",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "AssigneeId",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "EscalateAt",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "EscalatedAt",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "EscalatedToRegionCode",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "EscalatedToRole",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "PolicyCode",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "SubjectKind",
                table: "Tasks");

            migrationBuilder.RenameColumn(
                name: "SubjectId",
                table: "WorkflowInstances",
                newName: "ApplicationId");

            migrationBuilder.RenameColumn(
                name: "SubjectId",
                table: "Tasks",
                newName: "ApplicationId");

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowInstances_ApplicationId",
                table: "WorkflowInstances",
                column: "ApplicationId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_InstanceId",
                table: "Tasks",
                column: "InstanceId",
                unique: true,
                filter: "\"Status\" = 'Open'");
        }
    }
}
