using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Hosting;
using CanvasSync.Sandbox;
using CanvasSync.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>A CanvasSync user as the API sees one: their id, their API key, and a client that sends it.</summary>
internal sealed record Caller(long UserId, string ApiKey, HttpClient Http);

/// <summary>
/// The whole service over real HTTP on loopback, on a fresh database of either kind, next to a sandbox Canvas, with
/// every log line captured (scopes included). Intent methods say what a test does: add a user, connect Canvas.
/// </summary>
internal sealed class ServiceHarness : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private readonly bool _ownsParts;

    private ServiceHarness(WebApplication app, TestDatabase database, SandboxServer sandbox, string masterKeyFile, LogCapture logs,
        bool ownsParts)
    {
        _ownsParts = ownsParts;
        App = app;
        Database = database;
        Sandbox = sandbox;
        MasterKeyFile = masterKeyFile;
        Logs = logs;
        BaseUrl = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }
    public TestDatabase Database { get; }
    public SandboxServer Sandbox { get; }
    public string MasterKeyFile { get; }
    public LogCapture Logs { get; }
    public Uri BaseUrl { get; }

    /// <param name="settings">Configuration on top of the test defaults (loopback and http allowed for the sandbox).</param>
    /// <param name="names">Host names the service resolves to fixed addresses instead of asking DNS.</param>
    public static async Task<ServiceHarness> StartAsync(string provider, PostgresServer postgres, IEnumerable<string>? settings = null,
        IReadOnlyDictionary<string, string>? names = null, TestDatabase? database = null, string? masterKeyFile = null,
            SandboxServer? sandbox = null)
    {
        var ownsParts = database is null && sandbox is null && masterKeyFile is null; // what the caller passes, the caller disposes
        sandbox ??= await SandboxServer.StartAsync(new SandboxOptions());
        database ??= await TestDatabase.CreateAsync(provider, postgres);
        masterKeyFile ??= Path.Combine(Path.GetTempPath(), $"canvassync-master-{Guid.NewGuid():N}.key");
        var logs = new LogCapture();
        string[] args = ["--Canvas:AllowPrivateNetwork=true", "--Canvas:AllowHttp=true", $"--Security:MasterKeyFile={masterKeyFile}",
            .. settings ?? []];
        var app = CanvasSyncWebApp.Build(args, database.Setting, "http://127.0.0.1:0", builder =>
        {
            builder.Logging.AddProvider(logs);
            if (names is not null) builder.Services.Replace(ServiceDescriptor.Singleton<IHostResolver>(new FixedNames(names)));
        });
        try
        {
            await app.PrepareAsync();
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new ServiceHarness(app, database, sandbox, masterKeyFile, logs, ownsParts);
    }

    public HttpClient Anonymous() => Client(null);

    /// <summary>Every response the test clients received: status, headers and body, to search for secrets.</summary>
    public ConcurrentQueue<string> Responses { get; } = new();

    public HttpClient Client(string? apiKey)
    {
        var http = new HttpClient(new RecordingHandler(Responses)) { BaseAddress = BaseUrl };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _clients.Add(http);
        return http;
    }

    public async Task<Caller> AddUserAsync(string name, bool admin = false)
    {
        await using var db = Database.Context();
        var issued = await UserDirectory.AddAsync(db, name, admin, DateTime.UtcNow, CancellationToken.None);
        return new Caller(issued.UserId, issued.ApiKey, Client(issued.ApiKey));
    }

    public Task<HttpResponseMessage> ConnectCanvasAsync(Caller caller, string? canvasUrl = null, string? token = null) =>
        caller.Http.PostAsJsonAsync("/api/v1/canvas/connect",
            new { canvas_url = canvasUrl ?? Sandbox.BaseUrl, api_token = token ?? Sandbox.Tokens.Student });

    /// <summary>A sync of the user's connection with the token (or OAuth2 grant) the service stored, as a background job runs it.</summary>
    public async Task<SyncResult?> SyncStoredAsync(long userId, SyncType type = SyncType.Full)
    {
        long connectionId;
        await using (var db = Database.Context())
            connectionId = await db.Connections.Where(c => c.UserId == userId).Select(c => c.Id).SingleAsync();
        var credential = await App.Services.GetRequiredService<ConnectionTokens>().CredentialAsync(connectionId, CancellationToken.None);
        return credential is null ? null
            : await App.Services.GetRequiredService<SyncEngine>()
            .RunAsync(connectionId, credential, new SyncRequest(type, new SyncScope()));
    }

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Every task of the caller, done ones too, through all pages of GET /api/v1/tasks.</summary>
    public static async Task<List<JsonElement>> AllTasksAsync(HttpClient http)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await JsonOf(await http.GetAsync("/api/v1/tasks?include_completed=true&limit=200"
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            all.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("next_cursor").GetString();
        } while (cursor is not null);
        return all;
    }

    /// <summary>Every value of every text column of every table in the model.</summary>
    public async Task<List<string>> TextColumnsAsync()
    {
        var values = new List<string>();
        await using var db = Database.Context();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName();
            var columns = entity.GetProperties().Where(p => p.ClrType == typeof(string)).Select(p => p.GetColumnName()).ToList();
            if (table is null || columns.Count == 0) continue;
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                for (var i = 0; i < reader.FieldCount; i++)
                    if (!reader.IsDBNull(i)) values.Add(reader.GetString(i));
        }

        return values;
    }

    /// <summary>Where a secret must never be: the service's log lines, its answers to the test clients, and every text column.</summary>
    public async Task AssertNowhereAsync(IEnumerable<string> secrets)
    {
        var places = new List<(string Where, string Text)>();
        places.AddRange(Logs.Lines.Select(l => ("log", l)));
        places.AddRange(Responses.Select(r => ("response", r)));
        places.AddRange((await TextColumnsAsync()).Select(t => ("database", t)));
        foreach (var secret in secrets)
        {
            var found = places.FirstOrDefault(p => p.Text.Contains(secret, StringComparison.Ordinal));
            Assert.True(found == default, $"a secret was found in a {found.Where}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (!_ownsParts) return;
        await Sandbox.DisposeAsync();
        await Database.DisposeAsync();
        File.Delete(MasterKeyFile);
    }

    private sealed class RecordingHandler(ConcurrentQueue<string> responses) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            responses.Enqueue($"{(int)response.StatusCode} {request.RequestUri}\n{response.Headers}{response.Content.Headers}\n{await response.Content.ReadAsStringAsync(cancellationToken)}");
            return response;
        }
    }

    private sealed class FixedNames(IReadOnlyDictionary<string, string> names) : IHostResolver
    {
        private readonly DnsHostResolver _dns = new();

        public Task<System.Net.IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            names.TryGetValue(host, out var address)
            ? Task.FromResult(new[] { System.Net.IPAddress.Parse(address) })
            : _dns.ResolveAsync(host, cancellationToken);
    }
}

/// <summary>Every log line the service writes, with its scopes (the correlation id) and any exception text.</summary>
internal sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            owner._scopes.ForEachScope((scope, list) => list.Add(scope is IEnumerable<KeyValuePair<string, object>> pairs
                ? string.Join(",", pairs.Select(p => $"{p.Key}={p.Value}")) : scope?.ToString() ?? ""), scopes);
            owner.Lines.Enqueue($"{logLevel} {category} [{string.Join(" | ", scopes)}] {formatter(state, exception)} {exception}");
        }
    }
}
