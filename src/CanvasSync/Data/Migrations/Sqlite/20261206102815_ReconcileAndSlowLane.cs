using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReconcileAndSlowLane : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "slow_lane",
                table: "sync_runs",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "then_reconcile",
                table: "sync_runs",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "last_slow_lane_at",
                table: "canvas_connections",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "has_overrides",
                table: "assignments",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "sync_run_drift",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    entity_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    field = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    row_count = table.Column<long>(type: "INTEGER", nullable: false),
                    example_canvas_id = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_run_drift", x => x.id);
                    table.ForeignKey(
                        name: "FK_sync_run_drift_sync_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "sync_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sync_run_drift_run_id_entity_type_field",
                table: "sync_run_drift",
                columns: new[] { "run_id", "entity_type", "field" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sync_run_drift");

            migrationBuilder.DropColumn(
                name: "slow_lane",
                table: "sync_runs");

            migrationBuilder.DropColumn(
                name: "then_reconcile",
                table: "sync_runs");

            migrationBuilder.DropColumn(
                name: "last_slow_lane_at",
                table: "canvas_connections");

            migrationBuilder.DropColumn(
                name: "has_overrides",
                table: "assignments");
        }
    }
}
