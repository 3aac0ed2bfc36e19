using System.Net;
using System.Net.Sockets;

namespace CanvasSync.Security;

/// <summary>
/// Which addresses count as the public internet. Everything else (loopback, private ranges, link-local including the
/// cloud metadata address 169.254.169.254, carrier-grade NAT, unique-local IPv6, multicast, documentation and
/// reserved ranges, and IPv6 forms that embed one of those IPv4 addresses) is refused unless private networks are allowed.
/// </summary>
internal static class NetworkAddresses
{
    private static readonly IPNetwork[] NonPublicV4 = Networks(
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4");

    private static readonly IPNetwork[] NonPublicV6 = Networks(
        "::/96", // unspecified, loopback and the deprecated IPv4-compatible form
        "::ffff:0:0:0/96", // IPv4-translated (SIIT, RFC 6145): ::ffff:0:a.b.c.d reaches an IPv4 host through a translator
        "64:ff9b:1::/48", // local-use NAT64 (RFC 8215): translated by the operator's own gateway, to wherever it chooses
        "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8");

    private static IPNetwork[] Networks(params string[] cidrs) => cidrs.Select(c => IPNetwork.Parse(c)).ToArray();

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork) return !NonPublicV4.Any(n => n.Contains(address));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        if (EmbeddedIPv4(address) is { } inner) return IsPublic(inner);
        return !NonPublicV6.Any(n => n.Contains(address));
    }

    /// <summary>NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that decides where packets go.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress v6)
    {
        var b = v6.GetAddressBytes();
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.Skip(4).Take(8).All(x => x == 0))
            return new IPAddress(b[12..16]);
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b[2..6]);
        return null;
    }
}
