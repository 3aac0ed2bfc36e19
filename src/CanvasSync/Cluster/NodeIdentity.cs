using System.Diagnostics;
using CanvasSync.Hosting;
using Microsoft.Extensions.Options;

namespace CanvasSync.Cluster;

/// <summary>
/// This process among the nodes sharing one database: its name (what it writes into the runs it holds) and how long
/// such a hold, a lease, lasts without renewal. Leases live in the sync_runs rows, so they work the same on SQLite
/// (one machine, several processes: the CLI beside serve) and on PostgreSQL (several machines).
/// </summary>
internal sealed class NodeIdentity(IOptions<NodeOptions> node, IOptions<SyncOptions> sync)
{
    private static readonly string DefaultName = $"{Environment.MachineName}:{Environment.ProcessId}";

    public string Name { get; } = node.Value.Name ?? DefaultName;

    public TimeSpan Lease { get; } = TimeSpan.FromSeconds(sync.Value.LeaseSeconds);

    /// <summary>How often a held run's lease is renewed: three chances before it lapses.</summary>
    public TimeSpan RenewEvery => Lease / 3;

    /// <summary>
    /// Whether <paramref name="owner"/>, holding a run whose lease was last renewed at <paramref name="renewedAt"/>,
    /// is still at work. This node's own name is never alive here: the caller has checked that this process runs no
    /// sync of the connection, so the lease is a dead earlier process's. A "host:pid" owner on this host is alive
    /// exactly while that process runs (a kill frees its runs at once); anyone else, while the lease lasts.
    /// </summary>
    public bool IsAlive(string? owner, DateTime? renewedAt, DateTime now)
    {
        if (owner is null || owner == Name) return false;
        if (owner.Split(':') is [var host, var pidText] && host == Environment.MachineName && int.TryParse(pidText, out var pid))
            return ProcessIsRunning(pid);
        return renewedAt is { } at && now - at < Lease;
    }

    private static bool ProcessIsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
