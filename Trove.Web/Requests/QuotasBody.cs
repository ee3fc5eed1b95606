using System.Text.Json.Serialization.Metadata;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>PUT /mgmt/quotas/{project}</c>: <c>{"quotas": {"instances": 10, "volumes": "20", ...}}</c>; the tenant
/// entity decides which resources exist.</summary>
public sealed record QuotasBody(Dictionary<string, Scalar>? Quotas) : IRequestBody<QuotasBody>
{
    public static JsonTypeInfo<QuotasBody> JsonInfo => RequestJson.Default.QuotasBody;

    /// <summary>Each resource's limit, -1 for unlimited.</summary>
    public Dictionary<string, int> Limits() => Quotas!.ToDictionary(q => q.Key, q => int.TryParse(q.Value.Text, out var n)
        ? n
        : throw RequestError.Invalid($"the quota of '{q.Key}' must be a whole number, -1 for unlimited."));

    public void Validate()
    {
        if (Quotas is null)
            throw RequestError.Invalid("the body must be an object with a 'quotas' object.");
        Limits();
    }
}
