using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ChangeFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "terms",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "terms",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "terms",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "tasks",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "tasks",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "tasks",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "submissions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "submissions",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "submissions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "planner_items",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "planner_items",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "planner_items",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "groups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "groups",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "groups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "group_memberships",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "group_memberships",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "group_memberships",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "group_categories",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "group_categories",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "group_categories",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "enrollments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "enrollments",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "enrollments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "courses",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "courses",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "courses",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "canvas_people",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "canvas_people",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "canvas_people",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "canvas_connections",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "assignments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "assignments",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "assignments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "change_version",
                table: "assignment_groups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "changed_at",
                table: "assignment_groups",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "created_version",
                table: "assignment_groups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_terms_connection_id_change_version_id",
                table: "terms",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_tasks_connection_id_change_version_id",
                table: "tasks",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_submissions_connection_id_change_version_id",
                table: "submissions",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_planner_items_connection_id_change_version_id",
                table: "planner_items",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_groups_connection_id_change_version_id",
                table: "groups",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_group_memberships_connection_id_change_version_id",
                table: "group_memberships",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_group_categories_connection_id_change_version_id",
                table: "group_categories",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_enrollments_connection_id_change_version_id",
                table: "enrollments",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_courses_connection_id_change_version_id",
                table: "courses",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_canvas_people_connection_id_change_version_id",
                table: "canvas_people",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_assignments_connection_id_change_version_id",
                table: "assignments",
                columns: new[] { "connection_id", "change_version", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_assignment_groups_connection_id_change_version_id",
                table: "assignment_groups",
                columns: new[] { "connection_id", "change_version", "id" });

            // Rows from before the feed changed when they were last seen; tasks when they were last updated.
            foreach (var table in new[] { "terms", "courses", "assignment_groups", "assignments", "submissions", "enrollments", "canvas_people",
                         "group_categories", "groups", "group_memberships", "planner_items" })
                migrationBuilder.Sql($"UPDATE {table} SET changed_at = COALESCE(deleted_at, last_seen_at)");
            migrationBuilder.Sql("UPDATE tasks SET changed_at = updated_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_terms_connection_id_change_version_id",
                table: "terms");

            migrationBuilder.DropIndex(
                name: "IX_tasks_connection_id_change_version_id",
                table: "tasks");

            migrationBuilder.DropIndex(
                name: "IX_submissions_connection_id_change_version_id",
                table: "submissions");

            migrationBuilder.DropIndex(
                name: "IX_planner_items_connection_id_change_version_id",
                table: "planner_items");

            migrationBuilder.DropIndex(
                name: "IX_groups_connection_id_change_version_id",
                table: "groups");

            migrationBuilder.DropIndex(
                name: "IX_group_memberships_connection_id_change_version_id",
                table: "group_memberships");

            migrationBuilder.DropIndex(
                name: "IX_group_categories_connection_id_change_version_id",
                table: "group_categories");

            migrationBuilder.DropIndex(
                name: "IX_enrollments_connection_id_change_version_id",
                table: "enrollments");

            migrationBuilder.DropIndex(
                name: "IX_courses_connection_id_change_version_id",
                table: "courses");

            migrationBuilder.DropIndex(
                name: "IX_canvas_people_connection_id_change_version_id",
                table: "canvas_people");

            migrationBuilder.DropIndex(
                name: "IX_assignments_connection_id_change_version_id",
                table: "assignments");

            migrationBuilder.DropIndex(
                name: "IX_assignment_groups_connection_id_change_version_id",
                table: "assignment_groups");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "terms");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "terms");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "terms");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "tasks");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "tasks");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "tasks");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "submissions");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "submissions");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "submissions");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "planner_items");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "planner_items");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "planner_items");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "groups");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "groups");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "groups");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "group_memberships");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "group_memberships");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "group_memberships");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "group_categories");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "group_categories");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "group_categories");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "enrollments");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "enrollments");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "enrollments");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "courses");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "courses");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "courses");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "canvas_people");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "canvas_people");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "canvas_people");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "canvas_connections");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "assignments");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "assignments");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "assignments");

            migrationBuilder.DropColumn(
                name: "change_version",
                table: "assignment_groups");

            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "assignment_groups");

            migrationBuilder.DropColumn(
                name: "created_version",
                table: "assignment_groups");
        }
    }
}
