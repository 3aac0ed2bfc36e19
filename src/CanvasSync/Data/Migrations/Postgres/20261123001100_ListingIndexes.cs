using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ListingIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tasks_connection_id_due_date",
                table: "tasks");

            migrationBuilder.DropIndex(
                name: "IX_submissions_connection_id_user_canvas_id",
                table: "submissions");

            migrationBuilder.DropIndex(
                name: "IX_assignments_connection_id_due_at",
                table: "assignments");

            migrationBuilder.CreateIndex(
                name: "IX_tasks_connection_id_due_date_id",
                table: "tasks",
                columns: new[] { "connection_id", "due_date", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_submissions_connection_id_user_canvas_id_assignment_canvas_~",
                table: "submissions",
                columns: new[] { "connection_id", "user_canvas_id", "assignment_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_assignments_connection_id_due_at_canvas_id",
                table: "assignments",
                columns: new[] { "connection_id", "due_at", "canvas_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tasks_connection_id_due_date_id",
                table: "tasks");

            migrationBuilder.DropIndex(
                name: "IX_submissions_connection_id_user_canvas_id_assignment_canvas_~",
                table: "submissions");

            migrationBuilder.DropIndex(
                name: "IX_assignments_connection_id_due_at_canvas_id",
                table: "assignments");

            migrationBuilder.CreateIndex(
                name: "IX_tasks_connection_id_due_date",
                table: "tasks",
                columns: new[] { "connection_id", "due_date" });

            migrationBuilder.CreateIndex(
                name: "IX_submissions_connection_id_user_canvas_id",
                table: "submissions",
                columns: new[] { "connection_id", "user_canvas_id" });

            migrationBuilder.CreateIndex(
                name: "IX_assignments_connection_id_due_at",
                table: "assignments",
                columns: new[] { "connection_id", "due_at" });
        }
    }
}
