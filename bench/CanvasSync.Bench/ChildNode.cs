using System.Diagnostics;
using System.Globalization;

namespace CanvasSync.Bench;

/// <summary>A `canvas-sync serve --role worker` node in its own process, for benchmarks of several nodes.</summary>
internal sealed class ChildNode : IAsyncDisposable
{
    private readonly Process _process;

    private ChildNode(Process process) => _process = process;

    public static async Task<ChildNode> StartAsync(string name, string db, IEnumerable<string> settings, int workers, CancellationToken ct)
    {
        var info = ChildSandbox.CanvasSyncStartInfo();
        foreach (var a in new[] { "serve", "--role", "worker", "--node-name", name, "--db", db, "--urls", "http://127.0.0.1:0" })
            info.ArgumentList.Add(a);
        info.Environment.Remove("CANVASSYNC_DB");
        info.Environment["CANVASSYNC__Sync__Workers"] = workers.ToString(CultureInfo.InvariantCulture);
        info.Environment["CANVASSYNC__Sync__SchedulerEnabled"] = "false";
        foreach (var s in settings)
        {
            var (key, value) = (s[2..s.IndexOf('=', StringComparison.Ordinal)], s[(s.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            info.Environment["CANVASSYNC__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(ready.Task, process.WaitForExitAsync(ct), Task.Delay(TimeSpan.FromMinutes(1), ct)) != ready.Task)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw new IOException($"node {name} did not start");
        }

        return new ChildNode(process);
    }

    /// <summary>Stops the node as systemd would (SIGTERM: running syncs let go of their leases), then waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
