using System.Buffers.Binary;
using System.Net;
using System.Text.RegularExpressions;

namespace Trove.Contracts.Guests;

/// <summary>An IPv4 CIDR as upstream's API takes it in <c>access.allowed_cidrs</c> (its JSON schema's pattern: an address,
/// optionally a prefix length; no prefix is /32). The engines' host rules use the network it names, host bits cleared.</summary>
public sealed partial record Cidr(uint First, int PrefixLength)
{
    public static Cidr? Parse(string? text)
    {
        if (text is null || !UpstreamPattern().IsMatch(text))
            return null;
        var parts = text.Split('/');
        if (!IPAddress.TryParse(parts[0], out var address) || parts[0].Split('.').Any(o => int.Parse(o) > 255))
            return null;
        var prefix = parts.Length == 2 ? int.Parse(parts[1]) : 32;
        return new Cidr(BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()) & MaskOf(prefix), prefix);
    }

    public uint Last => First | ~MaskOf(PrefixLength);

    public string Network => AsAddress(First);

    public string Netmask => AsAddress(MaskOf(PrefixLength));

    public override string ToString() => $"{Network}/{PrefixLength}";

    private static uint MaskOf(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);

    private static string AsAddress(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }

    [GeneratedRegex(@"^([0-9]{1,3}\.){3}[0-9]{1,3}(/([0-9]|[1-2][0-9]|3[0-2]))?$")]
    private static partial Regex UpstreamPattern();
}
