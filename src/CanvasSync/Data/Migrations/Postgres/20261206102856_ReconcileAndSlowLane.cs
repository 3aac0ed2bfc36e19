using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CanvasSync.Data.Migrations.Postgres
{
    /// <summary>
    /// The slow lane and the reconcile (issue #21): a run's slow lane and then-reconcile flags, the connection's last
    /// slow lane, an assignment's overrides, and a reconcile's drift, whose rows belong to a run's user as its counts do
    /// (the row-level security policy is written by hand, as in <see cref="RowLevelSecurity"/>).
    /// </summary>
    public partial class ReconcileAndSlowLane : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "slow_lane",
                table: "sync_runs",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "then_reconcile",
                table: "sync_runs",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "last_slow_lane_at",
                table: "canvas_connections",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "has_overrides",
                table: "assignments",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "sync_run_drift",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    entity_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    field = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    row_count = table.Column<long>(type: "bigint", nullable: false),
                    example_canvas_id = table.Column<long>(type: "bigint", nullable: true)
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

            migrationBuilder.Sql("ALTER TABLE sync_run_drift ENABLE ROW LEVEL SECURITY;");
            migrationBuilder.Sql("ALTER TABLE sync_run_drift FORCE ROW LEVEL SECURITY;");
            migrationBuilder.Sql("CREATE POLICY owner_only ON sync_run_drift USING (NULLIF(current_setting('canvassync.user_id', true), '')::bigint IS NULL OR run_id IN (SELECT id FROM sync_runs)) " +
                "WITH CHECK (NULLIF(current_setting('canvassync.user_id', true), '')::bigint IS NULL OR run_id IN (SELECT id FROM sync_runs));");
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
