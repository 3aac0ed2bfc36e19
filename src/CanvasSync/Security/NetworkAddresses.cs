using System.Net;
using System.Net.Sockets;

namespace CanvasSync.Security;

/// <summary>
/// Which addresses count as the public internet. Everything else (loopback, private ranges, link-local including the
/// cloud metadata address 169.254.169.254, carrier-grade NAT, unique-local IPv6, multicast, documentation and
/// reserved ranges, and IPv6 forms that embed one of those IPv4 addresses) is refused unless private networks are allowed.
/// </summary>
public static class NetworkAddresses
{
    private static readonly (IPAddress Network, int Bits)[] NonPublicV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8), (IPAddress.Parse("10.0.0.0"), 8), (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("127.0.0.0"), 8), (IPAddress.Parse("169.254.0.0"), 16), (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24), (IPAddress.Parse("192.0.2.0"), 24), (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("198.18.0.0"), 15), (IPAddress.Parse("198.51.100.0"), 24), (IPAddress.Parse("203.0.113.0"), 24),
        (IPAddress.Parse("224.0.0.0"), 4), (IPAddress.Parse("240.0.0.0"), 4),
    ];

    private static readonly (IPAddress Network, int Bits)[] NonPublicV6 =
    [
        (IPAddress.Parse("::"), 96), // unspecified, loopback and the deprecated IPv4-compatible form
        (IPAddress.Parse("100::"), 64), (IPAddress.Parse("2001::"), 23), (IPAddress.Parse("2001:db8::"), 32),
        (IPAddress.Parse("fc00::"), 7), (IPAddress.Parse("fe80::"), 10), (IPAddress.Parse("fec0::"), 10), (IPAddress.Parse("ff00::"), 8),
    ];

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork) return !NonPublicV4.Any(r => InRange(address, r.Network, r.Bits));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        if (EmbeddedIPv4(address) is { } inner) return IsPublic(inner);
        return !NonPublicV6.Any(r => InRange(address, r.Network, r.Bits));
    }

    /// <summary>NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that decides where packets go.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress v6)
    {
        var b = v6.GetAddressBytes();
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.Skip(4).Take(8).All(x => x == 0)) return new IPAddress(b[12..16]);
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b[2..6]);
        return null;
    }

    private static bool InRange(IPAddress address, IPAddress network, int bits)
    {
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        if (a.Length != n.Length) return false;
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }

        return true;
    }
}
