using System.Collections.Concurrent;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// The runs this process is working on, by connection: one run per connection in a process (across processes the run
/// row's lease decides), and where a cancel finds a run that runs here.
/// </summary>
internal sealed class ActiveRuns
{
    private readonly ConcurrentDictionary<long, Slot> _slots = new();

    /// <summary>Claims the connection for a run in this process; a second claim fails with the first one's run.</summary>
    public Slot Enter(long connectionId)
    {
        var slot = new Slot(this, connectionId);
        return _slots.TryAdd(connectionId, slot) ? slot : throw new SyncAlreadyRunningException(RunOf(connectionId) ?? 0);
    }

    /// <summary>This process is starting or running a sync of the connection (its run id may not be known yet).</summary>
    public bool IsHere(long connectionId) => _slots.ContainsKey(connectionId);

    /// <summary>The run this process is running for the connection, once its id is known.</summary>
    public long? RunOf(long connectionId) => _slots.TryGetValue(connectionId, out var slot) && slot.RunId != 0 ? slot.RunId : null;

    /// <summary>
    /// Cancels a run this process is working on: it stops at the next page boundary with what was fetched committed.
    /// False when the run is not running here.
    /// </summary>
    public bool TryCancel(long runId)
    {
        var slot = _slots.Values.FirstOrDefault(a => a.RunId == runId);
        if (slot is null) return false;
        slot.Cancel.Cancel();
        return true;
    }

    public sealed class Slot(ActiveRuns owner, long connectionId) : IDisposable
    {
        public long RunId { get; set; }
        public CancellationTokenSource Cancel { get; } = new();

        public void Dispose()
        {
            owner._slots.TryRemove(new KeyValuePair<long, Slot>(connectionId, this));
            Cancel.Dispose();
        }
    }
}
