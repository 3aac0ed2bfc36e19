using System.Collections.Concurrent;
using CanvasSync.Canvas;

namespace CanvasSync.Features.SyncRuns;

/// <summary>
/// The tokens this node has lately seen answer who-am-I (GET /users/self), and as whom. A delta of a connection whose
/// token was proved here within <c>Sync:WhoAmIEveryHours</c> skips who-am-I: a token never changes whom it belongs
/// to, and the delta's first request proves it still alive (a dead token's 401 ends the run as needs_reauth there,
/// as here). That is one request of the two a quiet GraphQL delta makes. A full sync and a reconcile always ask, and
/// so does a delta once the proof is old, to keep the user's name fresh.
/// </summary>
/// <remarks>
/// Keyed by the connection and the credential's budget key (a hash of a personal token; the connection for OAuth2,
/// whose flow refuses another Canvas user before it stores a grant): a connection given another token asks again.
/// Per node and in memory: a node that has not seen the token asks once.
/// </remarks>
internal sealed class ProvenTokens(TimeProvider time, TimeSpan lifetime)
{
    /// <summary>Past this many the oldest are not worth finding: the map is emptied, and each token asks once more.</summary>
    internal const int MaxTokens = 200_000;

    private readonly ConcurrentDictionary<(long Connection, string Budget), (long CanvasUserId, DateTime At)> _proven = new();

    /// <summary>The Canvas user the token was proved to be, when that is recent enough to skip asking; else null.</summary>
    public long? CanvasUserOf(long connectionId, CanvasCredential credential)
    {
        if (lifetime <= TimeSpan.Zero || !_proven.TryGetValue((connectionId, credential.BudgetKey), out var proof)) return null;
        return proof.At > time.GetUtcNow().UtcDateTime - lifetime ? proof.CanvasUserId : null;
    }

    /// <summary>Canvas answered who-am-I with this user for this token.</summary>
    public void Proved(long connectionId, CanvasCredential credential, long canvasUserId)
    {
        if (lifetime <= TimeSpan.Zero) return;
        if (_proven.Count >= MaxTokens) _proven.Clear();
        _proven[(connectionId, credential.BudgetKey)] = (canvasUserId, time.GetUtcNow().UtcDateTime);
    }

    /// <summary>Canvas said the token is dead: the next run asks again. (Another user's token is never remembered.)</summary>
    public void Forget(long connectionId, CanvasCredential credential) => _proven.TryRemove((connectionId, credential.BudgetKey), out _);
}
