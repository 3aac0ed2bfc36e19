namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>Waiting for things a background job delivers (e-mail, webhook posts): a minute at most, then a failure that says what was
/// missing.</summary>
public static class Arrivals
{
    public static async Task WaitForAsync(Func<int> arrived, int expected, string what)
    {
        var until = DateTime.UtcNow.AddMinutes(1);
        while (arrived() < expected && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.True(arrived() >= expected, $"expected {expected} {what}, {arrived()} arrived");
    }
}
