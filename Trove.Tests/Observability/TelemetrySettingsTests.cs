using Microsoft.Extensions.DependencyInjection;
using Trove.Actors.Hosting;
using Trove.Web.Telemetry;

namespace Trove.Tests.Observability;

/// <summary>An OTLP protocol other than the two stops the node as it starts, traces on or off; the settings still print.</summary>
public sealed class TelemetrySettingsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("http://127.0.0.1:4318/v1/traces")]
    public void An_unknown_protocol_is_refused_when_the_node_starts(string? endpoint)
    {
        var settings = new TelemetrySettings { OtlpEndpoint = endpoint, OtlpProtocol = "http/json" };
        var refused = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddTroveTelemetry(settings));
        Assert.Contains("'http/json'", refused.Message);
        Assert.Contains("http/json", settings.ToString());
    }

    [Theory]
    [InlineData(TelemetrySettings.Grpc, false)]
    [InlineData(TelemetrySettings.HttpProtobuf, true)]
    public void Both_protocols_are_taken(string protocol, bool overHttp)
    {
        var settings = new TelemetrySettings { OtlpEndpoint = "http://127.0.0.1:4317", OtlpProtocol = protocol };
        new ServiceCollection().AddTroveTelemetry(settings);
        Assert.Equal(overHttp, settings.OverHttp);
    }
}
