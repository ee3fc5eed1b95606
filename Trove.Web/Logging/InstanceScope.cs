using System.Collections;

namespace Trove.Web.Logging;

/// <summary>A request's instance and tenant, as the pairs a log scope's state gives its providers (the JSON console
/// writes each one): two fields, where a dictionary was ~200 bytes more of every show's garbage.</summary>
public sealed record InstanceScope(string? InstanceId, string? TenantId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(nameof(InstanceId), InstanceId),
        1 => new(nameof(TenantId), TenantId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"InstanceId:{InstanceId} TenantId:{TenantId}";
}
