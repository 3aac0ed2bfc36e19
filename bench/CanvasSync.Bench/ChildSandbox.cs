using System.Diagnostics;
using System.Text.Json;

namespace CanvasSync.Bench;

/// <summary>A `canvas-sync sandbox` in its own process, so a benchmark's load generator does not share its CPU accounting.</summary>
internal sealed class ChildSandbox : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _readyFile;

    private ChildSandbox(Process process, string readyFile, string baseUrl, JsonElement tokens)
    {
        _process = process;
        _readyFile = readyFile;
        BaseUrl = baseUrl;
        Tokens = tokens;
    }

    public string BaseUrl { get; }
    public JsonElement Tokens { get; }
    public TimeSpan CpuTime { get { _process.Refresh(); return _process.TotalProcessorTime; } }
    public long PeakWorkingSet { get { _process.Refresh(); return _process.PeakWorkingSet64; } }

    public static async Task<ChildSandbox> StartAsync(IEnumerable<string> sandboxArgs, CancellationToken ct)
    {
        var readyFile = Path.Combine(Path.GetTempPath(), $"canvas-sync-sandbox-{Guid.NewGuid():N}.json");
        var info = CanvasSyncStartInfo();
        info.ArgumentList.Add("sandbox");
        foreach (var a in sandboxArgs) info.ArgumentList.Add(a);
        info.ArgumentList.Add("--ready-file");
        info.ArgumentList.Add(readyFile);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!File.Exists(readyFile))
        {
            if (process.HasExited) throw new IOException($"the sandbox exited with code {process.ExitCode} before it was ready");
            if (DateTime.UtcNow > deadline) throw new IOException("the sandbox did not become ready within 2 minutes");
            await Task.Delay(50, ct);
        }

        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(readyFile, ct));
        return new ChildSandbox(process, readyFile, doc.RootElement.GetProperty("base_url").GetString()!,
            doc.RootElement.GetProperty("tokens").Clone());
    }

    /// <summary>canvas-sync, built beside this benchmark by its project reference, ready for a command's arguments, its output
    /// redirected.</summary>
    public static ProcessStartInfo CanvasSyncStartInfo()
    {
        var info = new ProcessStartInfo { FileName = "dotnet", RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "canvas-sync.dll"));
        return info;
    }

    /// <summary>The sandbox's truth for a token: counts and the minimum requests only (items=false).</summary>
    public async Task<JsonElement> TruthSummaryAsync(string token, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_sandbox/truth?items=false");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        File.Delete(_readyFile);
    }
}
