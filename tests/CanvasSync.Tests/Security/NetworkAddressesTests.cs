using System.Net;
using CanvasSync.Security;

namespace CanvasSync.Tests.Security;

/// <summary>What counts as the public internet for the SSRF guard, including the IPv6 spellings of private IPv4.</summary>
public sealed class NetworkAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.20.30.40")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.10")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("100.64.0.1")]      // carrier-grade NAT
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]   // IPv4-mapped loopback
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("64:ff9b:1::a9fe:a9fe")] // local-use NAT64: the operator's own translator, whatever it embeds
    [InlineData("64:ff9b:1:ffff::808:808")]
    [InlineData("::ffff:0:127.0.0.1")]  // IPv4-translated (SIIT) loopback
    [InlineData("::ffff:0:8.8.8.8")]    // IPv4-translated: through a translator, never the address itself
    [InlineData("2002:7f00:1::")]      // 6to4 of 127.0.0.1
    [InlineData("2001:db8::1")]        // documentation
    public void Private_loopback_link_local_and_reserved_addresses_are_not_public(string address) =>
        Assert.False(NetworkAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("151.101.1.69")]
    [InlineData("172.32.0.1")]       // just past 172.16/12
    [InlineData("100.128.0.1")]      // just past 100.64/10
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] // NAT64 of 8.8.8.8
    public void Public_addresses_are_public(string address) =>
        Assert.True(NetworkAddresses.IsPublic(IPAddress.Parse(address)));
}
