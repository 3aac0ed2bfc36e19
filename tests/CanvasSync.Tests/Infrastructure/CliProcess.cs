using System.Diagnostics;

namespace CanvasSync.Tests.Infrastructure;

/// <summary>Runs the real canvas-sync executable (built beside the tests) as a separate process.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath()
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "canvas-sync.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        // The developer's environment must not leak in.
        info.Environment.Remove("CANVASSYNC_DB");
        return info;
    }

    public static async Task<Result> RunAsync(string[] args, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var info = StartInfo(args);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"canvas-sync {string.Join(' ', args)} did not finish");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
