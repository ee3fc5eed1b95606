namespace Trove.Actors.Hosting;

/// <summary><c>Trove:Telemetry</c>: traces are exported only when <see cref="OtlpEndpoint"/> names a collector (off by
/// default, and free then); <see cref="OtlpProtocol"/> is <c>grpc</c> (the collector's port 4317) or
/// <c>http/protobuf</c> (its port 4318, the endpoint naming the whole URL, <c>…/v1/traces</c>).</summary>
public sealed record TelemetrySettings
{
    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http/protobuf";

    public string? OtlpEndpoint { get; init; }

    public string OtlpProtocol { get; init; } = Grpc;

    public bool Traces => !string.IsNullOrEmpty(OtlpEndpoint);

    /// <summary>Over HTTP; a protocol other than the two is refused when the node starts.</summary>
    public bool OverHttp => OtlpProtocol switch
    {
        Grpc => false,
        HttpProtobuf => true,
        _ => throw new ArgumentException($"Trove:Telemetry:OtlpProtocol must be '{Grpc}' or '{HttpProtobuf}', not '{OtlpProtocol}'"),
    };
}
