using System.Data.Common;
using System.Globalization;
using CanvasSync.Features.Accounts;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CanvasSync.Data;

/// <summary>
/// PostgreSQL only: tells the database whose request a connection serves, so the row-level security policies
/// (migration RowLevelSecurity) hide every other user's rows. Set on each open, from the signed-in caller; Npgsql
/// resets session settings when a connection goes back to the pool, so the engine's connections carry none.
/// </summary>
internal sealed class RowLevelSecurity(IHttpContextAccessor http) : DbConnectionInterceptor
{
    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        var user = http.HttpContext?.User;
        // Nobody signed in yet (the API key lookup itself): nothing to set, and a pooled connection comes back with
        // its settings reset, so it is unset. The key lookup then sets the user in its own statement (SetsUser).
        if (user?.Identity?.IsAuthenticated != true) return;
        var id = user.UserId().ToString(CultureInfo.InvariantCulture);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT set_config('canvassync.user_id', @id, false)";
        var p = command.CreateParameter();
        p.ParameterName = "id";
        p.Value = id;
        command.Parameters.Add(p);
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// A select-list item that, on PostgreSQL, makes the row's user the connection's user as the row is read (one round
    /// trip for the key lookup and the setting); nothing on SQLite.
    /// </summary>
    public static string SetsUser(CanvasSyncDbContext db, string userIdColumn) =>
        db is PostgresCanvasSyncDbContext ? $", set_config('canvassync.user_id', CAST({userIdColumn} AS text), false)" : "";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        ConnectionOpenedAsync(connection, eventData).GetAwaiter().GetResult();
}
