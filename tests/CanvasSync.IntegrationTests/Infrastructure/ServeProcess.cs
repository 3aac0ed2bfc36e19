using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>
/// A real `canvas-sync serve` node in a child process on a loopback port it chooses, so a test can kill it with
/// SIGKILL. Its output is kept (to search for secrets) and its configuration goes by environment, as a deployment's
/// would.
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, string name, Uri baseUrl, ConcurrentQueue<string> output)
    {
        (_process, Name, BaseUrl, Output) = (process, name, baseUrl, output);
    }

    public string Name { get; }
    public Uri BaseUrl { get; }
    public ConcurrentQueue<string> Output { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>The most memory the node has held resident since it started (Linux's VmHWM), in bytes.</summary>
    public long PeakResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <param name="settings">Configuration keys ("Sync:Workers") and values on top of the loopback sandbox's.</param>
    public static async Task<ServeProcess> StartAsync(string name, string db, string masterKeyFile, string role = "all",
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "canvas-sync.dll"), "serve", "--db", db, "--urls",
            "http://127.0.0.1:0",
                     "--role", role, "--node-name", name, "--master-key", masterKeyFile })
            info.ArgumentList.Add(a);
        info.Environment.Remove("CANVASSYNC_DB");
        info.Environment["CANVASSYNC__Canvas__AllowPrivateNetwork"] = "true";
        info.Environment["CANVASSYNC__Canvas__AllowHttp"] = "true";
        info.Environment["CANVASSYNC__Sync__SchedulerEnabled"] = "false";
        foreach (var (key, value) in settings
            ?? new Dictionary<string, string>()) info.Environment["CANVASSYNC__" + key.Replace(":", "__", StringComparison.Ordinal)] =
            value;

        var process = Process.Start(info)!;
        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            output.Enqueue(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m) listening.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) output.Enqueue(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
        if (started != listening.Task)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"node {name} did not start:\n{string.Join('\n', output)}");
        }

        return new ServeProcess(process, name, await listening.Task, output);
    }

    /// <summary>SIGKILL: no shutdown, no finally blocks, no lease given back.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://[^,\s]+)")]
    private static partial Regex Listening();
}
