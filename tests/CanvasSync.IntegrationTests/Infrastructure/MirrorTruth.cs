using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CanvasSync.Sandbox;
using Microsoft.EntityFrameworkCore;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>The sandbox's truth for a token, and a connection's mirror compared with it byte for byte.</summary>
internal static class MirrorTruth
{
    public static async Task<JsonElement> TruthAsync(HttpClient http, SandboxServer sandbox, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{sandbox.BaseUrl}/_sandbox/truth");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    /// <summary>The live (not deleted) rows of one mirrored table, as the JSON Canvas served, by key.</summary>
    public static async Task<Dictionary<string, string>> MirrorAsync(TestDatabase database, long connectionId, string table)
    {
        await using var db = database.Context();
        // The table name comes from the fixed list in SyncHarness; the connection id is a parameter.
        var key = table == "planner_items" ? "plannable_type || ':' || CAST(canvas_id AS TEXT)" : "CAST(canvas_id AS TEXT)";
        var sql = "SELECT " + key + " AS \"Key\", raw_json AS \"Raw\" FROM " + table + " WHERE connection_id = {0} AND deleted_at IS NULL";
        var rows = await db.Database.SqlQueryRaw<KeyedRaw>(sql, connectionId).ToListAsync();
        return rows.ToDictionary(r => r.Key, r => r.Raw);
    }

    public static Dictionary<string, string> Truth(JsonElement truth, string collection) =>
        truth.GetProperty(collection).EnumerateArray().ToDictionary(
            i => collection == "planner_items"
                ? $"{i.GetProperty("plannable_type").GetString()}:{i.GetProperty("plannable_id").GetRawText()}" : i.GetProperty("id")
                .GetRawText(),
            i => i.GetRawText());

    /// <summary>Every collection of the mirror is exactly the truth: same keys, same JSON byte for byte.</summary>
    public static async Task AssertEqualsAsync(TestDatabase database, long connectionId, JsonElement truth)
    {
        foreach (var collection in SyncHarness.Collections)
        {
            if (!truth.TryGetProperty(collection, out _)) continue;
            var expected = Truth(truth, collection);
            var actual = await MirrorAsync(database, connectionId, collection);
            var missing = expected.Keys.Except(actual.Keys).Take(3).ToList();
            var extra = actual.Keys.Except(expected.Keys).Take(3).ToList();
            var different = expected.Keys.Intersect(actual.Keys).Where(k => expected[k] != actual[k]).Take(3).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0 && different.Count == 0,
                $"{collection}: truth {expected.Count}, mirror {actual.Count}; missing [{string.Join(",", missing)}] extra [{string.Join(",", extra)}] " +
                $"different [{string.Join(",", different)}]{(different.Count > 0 ? " in " + FieldsApart(expected[different[0]], actual[different[0]]) : "")}");
        }
    }

    /// <summary>The top-level fields two JSON objects disagree on, truth first: what a failing comparison names.</summary>
    private static string FieldsApart(string truth, string mirror)
    {
        var t = JsonDocument.Parse(truth).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        var m = JsonDocument.Parse(mirror).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        return string.Join(", ", t.Keys.Union(m.Keys).Where(k => t.GetValueOrDefault(k) != m.GetValueOrDefault(k))
            .Select(k => $"{k} ({t.GetValueOrDefault(k) ?? "absent"} in Canvas, {m.GetValueOrDefault(k) ?? "absent"} mirrored)"));
    }

    private sealed record KeyedRaw(string Key, string Raw);
}
