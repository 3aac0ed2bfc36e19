using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Postgres
{
    /// <summary>
    /// Written by hand, since EF cannot generate it: row-level security on every per-user table, as defence in depth
    /// behind the API's own scoping. An API request sets canvassync.user_id on its connection (<see cref="RowLevelSecurity"/>);
    /// a policy then shows that user's rows only, even to a query that forgot its WHERE. The sync engine and the CLI set
    /// nothing and see every row. FORCE makes the policies bind the tables' owner too, which is the role the service
    /// connects as. A new per-user table gets its line here in a migration of its own.
    /// </summary>
    [DbContext(typeof(PostgresCanvasSyncDbContext))]
    [Migration("20261206215640_RowLevelSecurity")]
    public partial class RowLevelSecurity : Migration
    {
        private const string CurrentUser = "NULLIF(current_setting('canvassync.user_id', true), '')::bigint";

        /// <summary>Tables whose rows belong to a connection, and so to the connection's user.</summary>
        private static readonly string[] ConnectionTables =
        [
            "terms", "courses", "assignment_groups", "assignments", "submissions", "enrollments", "canvas_people",
            "group_categories", "groups", "group_memberships", "planner_items", "tasks", "teams", "sync_runs", "sent_alerts",
        ];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            Protect(migrationBuilder, "canvas_connections", $"user_id = {CurrentUser}");
            foreach (var table in ConnectionTables)
                Protect(migrationBuilder, table, "connection_id IN (SELECT id FROM canvas_connections)");
            Protect(migrationBuilder, "team_members", "team_id IN (SELECT id FROM teams)");
            Protect(migrationBuilder, "sync_checkpoints", "run_id IN (SELECT id FROM sync_runs)");
            Protect(migrationBuilder, "sync_run_counts", "run_id IN (SELECT id FROM sync_runs)");
            Protect(migrationBuilder, "sync_run_drift", "run_id IN (SELECT id FROM sync_runs)");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in ConnectionTables.Concat(["canvas_connections", "team_members", "sync_checkpoints", "sync_run_counts", "sync_run_drift"]))
            {
                migrationBuilder.Sql($"DROP POLICY IF EXISTS owner_only ON {table};");
                migrationBuilder.Sql($"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;");
                migrationBuilder.Sql($"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;");
            }
        }

        /// <summary>No user set: every row (the engine). A user set: the rows <paramref name="owned"/> selects.</summary>
        private static void Protect(MigrationBuilder migrationBuilder, string table, string owned)
        {
            migrationBuilder.Sql($"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;");
            migrationBuilder.Sql($"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;");
            migrationBuilder.Sql($"CREATE POLICY owner_only ON {table} USING ({CurrentUser} IS NULL OR {owned}) WITH CHECK ({CurrentUser} IS NULL OR {owned});");
        }
    }
}
