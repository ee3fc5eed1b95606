namespace Trove.Actors.Broker;

/// <summary>
/// The node's own broker user when TROVE_AMQP_URI names none: the one scripts/bootstrap made and wrote, root's alone, to
/// <see cref="FilePath"/>. RabbitMQ's well-known guest/guest reaches the broker from loopback, where local servers'
/// engines run, so bootstrap deletes it; the fallback serves a broker nobody bootstrapped.
/// </summary>
public static class NodeBrokerUri
{
    public const string FilePath = "/etc/trove/amqp-uri";
    private const string Fallback = "amqp://guest:guest@127.0.0.1:5672/";
    private static readonly Lazy<string> Default = new(Read);

    public static string Value => Default.Value;

    private static string Read()
    {
        try
        {
            return File.ReadAllText(FilePath).Trim() is { Length: > 0 } uri ? uri : Fallback;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fallback; // not bootstrapped here, or a guest's own process, which never uses the default
        }
    }
}
