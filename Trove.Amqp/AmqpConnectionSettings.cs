using System.Text;

namespace Trove.Amqp;

/// <summary>Where the broker is and who this process is to it: an AMQP URI with its user, and the name the broker
/// shows for the connection.</summary>
public sealed record AmqpConnectionSettings(string Uri, string ClientName)
{
    /// <summary>How long to wait before reconnecting after a failed attempt, growing to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The broker user of <see cref="Uri"/>. RabbitMQ checks a message's <c>user-id</c> against it, which
    /// is why the publisher stamps it on every message.</summary>
    public string UserName => System.Uri.TryCreate(Uri, UriKind.Absolute, out var uri) && uri.UserInfo is { Length: > 0 } info
        ? System.Uri.UnescapeDataString(info.Split(':')[0])
        : "guest";

    // The URI carries the password: it never prints.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Uri = ***, ClientName = ").Append(ClientName);
        return true;
    }
}
