using CanvasSync.Hosting;
using CanvasSync.Security;
using Microsoft.Extensions.Options;

namespace CanvasSync.Tests.Security;

/// <summary>How a Canvas URL a person types is read before any address check.</summary>
public sealed class CanvasUrlGuardTests
{
    private static readonly CanvasUrlGuard Guard = new(new FixedOptions(new CanvasOptions()), new DnsHostResolver());

    [Theory]
    [InlineData("https://canvas.example.edu", "https://canvas.example.edu/")]
    [InlineData("  https://canvas.example.edu/courses/12?x=1  ", "https://canvas.example.edu/")]
    [InlineData("canvas.example.edu", "https://canvas.example.edu/")]
    [InlineData("canvas.example.edu:8443", "https://canvas.example.edu:8443/")]
    [InlineData("HTTPS://Canvas.Example.EDU/api/v1", "https://canvas.example.edu/")]
    public void A_url_is_normalised_to_its_origin(string typed, string expected) =>
        Assert.Equal(expected, Guard.Normalize(typed).ToString());

    [Theory]
    [InlineData("", "required")]
    [InlineData("file:///etc/passwd", "not file:")]
    [InlineData("ftp://canvas.example.edu", "not ftp:")]
    [InlineData("javascript:alert(1)", "not javascript:")]
    [InlineData("http://canvas.example.edu", "must use https")]
    [InlineData("https://user:secret@canvas.example.edu", "user name or password")]
    [InlineData("https://exa mple.edu", "not a URL")]
    public void Anything_else_is_refused_saying_why(string typed, string why)
    {
        var e = Assert.Throws<CanvasUrlRejectedException>(() => Guard.Normalize(typed));
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
    }

    private sealed class FixedOptions(CanvasOptions value) : IOptionsMonitor<CanvasOptions>
    {
        public CanvasOptions CurrentValue => value;
        public CanvasOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<CanvasOptions, string?> listener) => null;
    }
}
