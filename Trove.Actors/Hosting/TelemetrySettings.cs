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

    public bool OverHttp => OtlpProtocol == HttpProtobuf;

    /// <summary>These settings, once the protocol is one of the two: the node calls it as it starts, and refuses another.</summary>
    public TelemetrySettings Checked() => OtlpProtocol is Grpc or HttpProtobuf ? this
        : throw new ArgumentException($"Trove:Telemetry:OtlpProtocol must be '{Grpc}' or '{HttpProtobuf}', not '{OtlpProtocol}'");
}
