using System.Threading.Channels;

namespace CanvasSync.Canvas;

/// <summary>
/// Jobs run by a fixed set of workers; a job may add more jobs (a course adds its collections, a group list adds its
/// memberships). Done when every job, including those added along the way, has finished.
/// </summary>
internal sealed class WorkQueue
{
    private readonly Channel<Func<CancellationToken, Task>> _jobs = Channel.CreateUnbounded<Func<CancellationToken, Task>>();
    private int _pending;

    public void Add(Func<CancellationToken, Task> job)
    {
        Interlocked.Increment(ref _pending);
        _jobs.Writer.TryWrite(job);
    }

    public async Task RunAsync(int workers, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _pending) == 0) return;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            await foreach (var job in _jobs.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await job(cancellationToken);
                }
                finally
                {
                    if (Interlocked.Decrement(ref _pending) == 0) _jobs.Writer.TryComplete();
                }
            }
        }, cancellationToken)));
    }
}
