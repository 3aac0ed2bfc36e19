using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Sqlite
{
    /// <summary>
    /// The metrics record of a run: its active time and per-phase spans on sync_runs, an index on finished_at for the
    /// metrics' windows and retention, and sent_alerts for the alerts' cool-down.
    /// </summary>
    public partial class SyncMetrics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "active_seconds",
                table: "sync_runs",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "phase_seconds_json",
                table: "sync_runs",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.CreateTable(
                name: "sent_alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    connection_id = table.Column<long>(type: "INTEGER", nullable: false),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sent_alerts", x => x.id);
                    table.ForeignKey(
                        name: "FK_sent_alerts_canvas_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "canvas_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sync_runs_finished_at",
                table: "sync_runs",
                column: "finished_at");

            migrationBuilder.CreateIndex(
                name: "IX_sent_alerts_connection_id_kind_sent_at",
                table: "sent_alerts",
                columns: new[] { "connection_id", "kind", "sent_at" });

            migrationBuilder.CreateIndex(
                name: "IX_sent_alerts_sent_at",
                table: "sent_alerts",
                column: "sent_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sent_alerts");

            migrationBuilder.DropIndex(
                name: "IX_sync_runs_finished_at",
                table: "sync_runs");

            migrationBuilder.DropColumn(
                name: "active_seconds",
                table: "sync_runs");

            migrationBuilder.DropColumn(
                name: "phase_seconds_json",
                table: "sync_runs");
        }
    }
}
