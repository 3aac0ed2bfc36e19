using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OneUnfinishedRunPerConnection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Older versions could leave several unfinished runs of a connection: keep the newest, as the engine would.
            migrationBuilder.Sql("""
                UPDATE sync_runs SET status = 'cancelled', error_message = 'superseded by a newer run'
                WHERE status IN ('queued', 'running')
                  AND id NOT IN (SELECT MAX(id) FROM sync_runs WHERE status IN ('queued', 'running') GROUP BY connection_id)
                """);
            migrationBuilder.CreateIndex(
                name: "IX_sync_runs_one_unfinished_per_connection",
                table: "sync_runs",
                column: "connection_id",
                unique: true,
                filter: "status IN ('queued', 'running')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_sync_runs_one_unfinished_per_connection",
                table: "sync_runs");
        }
    }
}
