namespace Trove.Web.OpenApi;

/// <summary>Trove's error body (<see cref="Errors.TroveError"/>): one key, named by the status
/// (<see cref="Errors.TroveError.FaultName"/>), holding the fault. OpenApiTests keeps the keys equal to the fault names.</summary>
public sealed record TroveErrorShape
{
    public TroveFaultShape? BadRequest { get; init; }
    public TroveFaultShape? Unauthorized { get; init; }
    public TroveFaultShape? Forbidden { get; init; }
    public TroveFaultShape? ItemNotFound { get; init; }
    public TroveFaultShape? BadMethod { get; init; }
    public TroveFaultShape? Conflict { get; init; }
    public TroveFaultShape? OverLimit { get; init; }
    public TroveFaultShape? BadMediaType { get; init; }
    public TroveFaultShape? UnprocessableEntity { get; init; }
    public TroveFaultShape? NotImplemented { get; init; }
    public TroveFaultShape? ServiceUnavailable { get; init; }
    public TroveFaultShape? InstanceFault { get; init; }
}

public sealed record TroveFaultShape
{
    public required int Code { get; init; }
    public required string Message { get; init; }
    /// <summary>A rate-limited request's limit (413).</summary>
    public string? Details { get; init; }
    /// <summary>A rate-limited request's wait, in seconds (413; also the Retry-After header).</summary>
    public string? RetryAfter { get; init; }
}
