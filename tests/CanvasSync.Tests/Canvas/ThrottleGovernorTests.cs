using CanvasSync.Canvas;
using Microsoft.Extensions.Time.Testing;

namespace CanvasSync.Tests.Canvas;

/// <summary>The governor's rules, without a network: open up while the bucket is empty, hold, back off early, halve on refusal.</summary>
public sealed class ThrottleGovernorTests
{
    [Fact]
    public void It_opens_up_fast_while_the_bucket_is_nearly_empty_and_never_past_its_cap()
    {
        var g = new ThrottleGovernor(maxInFlight: 10);
        Assert.Equal(4, g.Limit);
        g.OnResponse(599);
        g.OnResponse(560);
        Assert.Equal(6, g.Limit);
        for (var i = 0; i < 20; i++) g.OnResponse(600);
        Assert.Equal(10, g.Limit);
    }

    [Fact]
    public void It_opens_gently_above_high_water_and_holds_between_the_marks()
    {
        var g = new ThrottleGovernor(32, initialLimit: 8);
        for (var i = 0; i < 8; i++) g.OnResponse(400);  // +1/limit each: one full window adds about one
        Assert.Equal(8, g.Limit);
        g.OnResponse(400);
        Assert.Equal(9, g.Limit);
        for (var i = 0; i < 50; i++) g.OnResponse(300);
        Assert.Equal(9, g.Limit);
    }

    [Fact]
    public void It_backs_off_before_canvas_refuses_and_halves_when_it_does()
    {
        var g = new ThrottleGovernor(32, initialLimit: 20);
        g.OnResponse(200);
        Assert.Equal(18, g.Limit);
        g.OnThrottled();
        Assert.Equal(9, g.Limit);
        Assert.Equal(0, g.LastRemaining);
        for (var i = 0; i < 100; i++) g.OnThrottled();
        Assert.Equal(1, g.Limit); // never below one
    }

    [Fact]
    public async Task A_burst_after_a_pause_starts_at_the_restart_limit_and_regrows()
    {
        var clock = new FakeTimeProvider();
        var g = new ThrottleGovernor(32, initialLimit: 20, time: clock);
        (await g.AcquireAsync(CancellationToken.None)).Dispose();
        clock.Advance(ThrottleGovernor.IdleAfter / 2);
        using (await g.AcquireAsync(CancellationToken.None))
            Assert.Equal(20, g.Limit); // a moment with nothing in flight is no pause
        clock.Advance(ThrottleGovernor.IdleAfter + TimeSpan.FromMilliseconds(1));
        using (await g.AcquireAsync(CancellationToken.None))
        {
            // The allowance learned while busy does not apply to requests that all set off at once.
            Assert.Equal(8, g.Limit);
        }

        for (var i = 0; i < 5; i++) g.OnResponse(590);
        Assert.Equal(13, g.Limit);
    }

    [Fact]
    public async Task Requests_wait_for_room_and_go_when_a_slot_is_freed()
    {
        var g = new ThrottleGovernor(32, initialLimit: 2);
        var a = await g.AcquireAsync(CancellationToken.None);
        var b = await g.AcquireAsync(CancellationToken.None);
        var third = g.AcquireAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        a.Dispose();
        using var c = await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, g.InFlight);
        b.Dispose();
    }

    [Fact]
    public async Task A_waiter_that_gives_up_does_not_strand_the_others()
    {
        var g = new ThrottleGovernor(32, initialLimit: 1);
        var held = await g.AcquireAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var quitter = g.AcquireAsync(cts.Token).AsTask();
        var patient = g.AcquireAsync(CancellationToken.None).AsTask();
        await cts.CancelAsync();  // the first in line gives up...
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quitter);
        held.Dispose();           // ...so the freed slot must reach the next one
        using var slot = await patient.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, g.InFlight);
    }
}
