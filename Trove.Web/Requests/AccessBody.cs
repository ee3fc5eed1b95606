using System.Text.Json.Serialization;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary>upstream's <c>access</c> of an instance, at create and in <c>PUT /instances/{id}</c>; what is left out takes
/// upstream's defaults (not public, every network), also on a change.</summary>
public sealed record AccessBody(
    [property: JsonPropertyName("is_public")] bool? IsPublic,
    [property: JsonPropertyName("allowed_cidrs")] List<string?>? AllowedCidrs)
{
    public InstanceAccess Parse()
    {
        var cidrs = new List<string>();
        foreach (var cidr in AllowedCidrs ?? [])
        {
            if (Cidr.Parse(cidr) is null)
                throw RequestError.Invalid($"'{cidr}' in 'allowed_cidrs' is not an IPv4 CIDR (an address with an optional prefix length, e.g. 10.0.0.0/24).");
            if (cidrs.Contains(cidr!))
                throw RequestError.Invalid($"'{cidr}' is listed more than once in 'allowed_cidrs'.");
            cidrs.Add(cidr!);
        }
        return new InstanceAccess(IsPublic ?? false, cidrs);
    }
}
