using Microsoft.EntityFrameworkCore;

namespace CanvasSync.Data;

/// <summary>
/// Contexts for work outside a request (the engine, the scheduler, jobs, admins' reads across users), with the options
/// built once. A request's own context comes from dependency injection instead: on PostgreSQL it carries the caller
/// for row-level security, which these must not (they read every user's rows).
/// </summary>
internal sealed class CanvasSyncContexts : IDbContextFactory<CanvasSyncDbContext>
{
    private readonly Func<CanvasSyncDbContext> _create;

    public CanvasSyncContexts(DatabaseTarget target)
    {
        if (target.Provider == DatabaseProvider.Sqlite)
        {
            var options = new DbContextOptionsBuilder<SqliteCanvasSyncDbContext>();
            target.Configure(options);
            _create = () => new SqliteCanvasSyncDbContext(options.Options);
        }
        else
        {
            var options = new DbContextOptionsBuilder<PostgresCanvasSyncDbContext>();
            target.Configure(options);
            _create = () => new PostgresCanvasSyncDbContext(options.Options);
        }
    }

    public CanvasSyncDbContext CreateDbContext() => _create();
}
