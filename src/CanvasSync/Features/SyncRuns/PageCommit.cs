using System.Data.Common;
using CanvasSync.Cluster;
using CanvasSync.Data;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// One page's transaction: its rows (written by its collection), the collections it opens, its cursor, the counts and
/// the run's progress commit together or not at all. A process killed at any moment therefore resumes from the
/// checkpoints, refetching at most the pages that were in flight. A dry run writes every page inside one transaction
/// that is rolled back at the end.
/// </summary>
internal sealed class PageCommit(DatabaseTarget database, NodeIdentity node, RunLease lease, TimeProvider time)
{
    /// <summary>Commits the page and returns the collections it opened, for the run to read next.</summary>
    public async Task<IReadOnlyList<CheckpointWork>> CommitAsync(RunState s, CheckpointWork work, Uri? next, int items,
        Func<PageWrite, Task> write, CancellationToken ct)
    {
        var fx = new PageEffects();
        await s.WriteGate.WaitAsync(ct);
        DbConnection? own = null;
        DbTransaction? ownTx = null;
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            DbConnection connection;
            DbTransaction tx;
            if (s.DryRun)
            {
                // Later pages of a dry run see earlier ones (deletions, new assignments), and nothing stays.
                s.DryConnection ??= await OpenAsync(ct);
                s.DryTransaction ??= await s.DryConnection.BeginTransactionAsync(ct);
                (connection, tx) = (s.DryConnection, s.DryTransaction);
            }
            else
            {
                connection = own = await OpenAsync(ct);
                tx = ownTx = await connection.BeginTransactionAsync(ct);
            }

            // A dry run's writes are rolled back, so it takes no version (and holds no lock on the connection's counter).
            var version = s.DryRun ? 0 : await ChangeVersions.NextAsync(connection, tx, s.Context.ConnectionId, ct);
            await write(new PageWrite(connection, tx, s.Context, work, next is null, new ChangeStamp(version, now), fx, ct));
            await RunStore.OpenAsync(connection, tx, s.Context.RunId, fx.Children, now, ct);
            await RunStore.AdvanceAsync(connection, tx, s.Context.RunId, work, next, items, now, ct);
            await RunStore.AddCountsAsync(connection, tx, s.Context.RunId, fx.Counts, ct);
            await RunStore.AddDriftAsync(connection, tx, s.Context.RunId, fx.Drift, ct);
            s.ItemsDone += items;
            s.CollectionsKnown += fx.Children.Count;
            if (next is null) s.CollectionsDone++;
            var (requests, throttled, retries) = s.Totals();
            var tracked = s.Tracker.Next(work, next is null, fx.Children, s.ItemsDone, s.CollectionsDone, s.CollectionsKnown,
                requests, throttled);
            var progress = tracked with { Retries = retries };
            if (!await RunStore.ProgressAsync(connection, tx, s.Context.RunId, node.Name, progress, s.Session.Accounting, s.Before, now,
                ct))
            {
                // The page is rolled back: another node holds the run and writes it.
                await lease.LoseAsync(s);
                throw RunLease.Taken();
            }

            if (ownTx is not null) await ownTx.CommitAsync(ct);
            s.Progress?.Report(progress);
            s.Tracker.Publish(progress);
        }
        finally
        {
            if (ownTx is not null) await ownTx.DisposeAsync();
            if (own is not null) await own.DisposeAsync();
            s.WriteGate.Release();
        }

        return fx.Children;
    }

    /// <summary>A dry run's counts, read inside its transaction, which is then rolled back: nothing it wrote stays.</summary>
    public static async Task<List<SyncRunCount>> RollBackDryRunAsync(RunState s)
    {
        var counts = new List<SyncRunCount>();
        if (s.DryConnection is null || s.DryTransaction is null) return counts;
        await using (var cmd = Sql.Command(s.DryConnection, s.DryTransaction,
                         "SELECT entity_type, created, updated, deleted, unchanged FROM sync_run_counts WHERE run_id = @r"))
        {
            Sql.Add(cmd, "r", s.Context.RunId);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                counts.Add(new SyncRunCount
                {
                    RunId = s.Context.RunId,
                    EntityType = reader.GetString(0),
                    Created = reader.GetInt64(1),
                    Updated = reader.GetInt64(2),
                    Deleted = reader.GetInt64(3),
                    Unchanged = reader.GetInt64(4),
                });
            }
        }

        await s.DryTransaction.RollbackAsync();
        await s.DryTransaction.DisposeAsync();
        await s.DryConnection.DisposeAsync();
        return counts;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var setting = connection.CreateCommand();
        // SQLite: with WAL, NORMAL loses no committed page to a process crash (only, at worst, the last ones to a power cut).
        // PostgreSQL: a sync fills its tables from empty, so a generic plan made while they were small (Npgsql prepares
        // the statements a page repeats) can outlive its fit: on the large profile a page's existing-rows lookup fell to
        // 16-18 ms in 4 runs of 5 and the sync took 1.5 x its usual time. Planning each execution for its own values
        // costs far less. Npgsql resets the setting when the connection goes back to the pool.
        setting.CommandText = database.Provider == DatabaseProvider.Sqlite ? "PRAGMA synchronous=NORMAL"
            : "SET plan_cache_mode = force_custom_plan";
        await setting.ExecuteNonQueryAsync(ct);

        return connection;
    }
}
