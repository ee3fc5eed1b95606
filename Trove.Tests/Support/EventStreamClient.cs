using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Trove.Tests.Support;

/// <summary>One message of a Server-Sent Events stream; a comment line (a keep-alive) is one with <see cref="Comment"/> set.</summary>
public sealed record StreamMessage(long? Id, string? Event, JsonObject? Data, string? Comment = null)
{
    public JsonObject? Entity => Event is null ? null : Data?[Event]?.AsObject();
    public string? EntityId => (string?)Entity?["id"];
    public string? Status => (string?)Entity?["status"];
    public string? Type => (string?)Data?["event"]?["type"];
}

/// <summary>Reads an SSE stream as a browser's <c>fetch</c> does (the token in a header), message by message.</summary>
public sealed class EventStreamClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<StreamMessage> _messages = Channel.CreateUnbounded<StreamMessage>();
    private readonly HttpResponseMessage _response;
    private readonly Task _reading;

    private EventStreamClient(HttpResponseMessage response)
    {
        _response = response;
        _reading = Task.Run(ReadAsync);
    }

    public HttpStatusCode StatusCode => _response.StatusCode;
    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    /// <summary>Whether the server ended the stream.</summary>
    public Task Ended => _reading;

    public static async Task<EventStreamClient> OpenAsync(HttpClient client, string path, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is { } id)
            request.Headers.Add("Last-Event-ID", id.ToString());
        return new EventStreamClient(await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead));
    }

    private async Task ReadAsync()
    {
        if (!_response.IsSuccessStatusCode)
        {
            _messages.Writer.Complete();
            return;
        }
        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
            long? id = null;
            string? kind = null, data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.StartsWith(':'))
                    await _messages.Writer.WriteAsync(new StreamMessage(null, null, null, line[1..].Trim()));
                else if (line.StartsWith("id: "))
                    id = long.Parse(line[4..]);
                else if (line.StartsWith("event: "))
                    kind = line[7..];
                else if (line.StartsWith("data: "))
                    data = line[6..];
                else if (line.Length == 0 && data is not null)
                {
                    await _messages.Writer.WriteAsync(new StreamMessage(id, kind, JsonNode.Parse(data)!.AsObject()));
                    (id, kind, data) = (null, null, null);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException) { }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    /// <summary>The next message (keep-alive comments included), or a failure after <paramref name="within"/>.</summary>
    public async Task<StreamMessage> NextAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            return await _messages.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no message in {within}");
        }
    }

    /// <summary>Entity messages (comments skipped) until one that <paramref name="last"/> accepts, that one included.</summary>
    public async Task<List<StreamMessage>> UntilAsync(Func<StreamMessage, bool> last, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var seen = new List<StreamMessage>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            StreamMessage message;
            try
            {
                message = await NextAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the stream sent {string.Join(", ", seen.Select(m => $"{m.Id}:{m.Type}/{m.Status}"))} but not the one awaited");
            }
            if (message.Comment is not null)
                continue;
            seen.Add(message);
            if (last(message))
                return seen;
        }
    }

    /// <summary>What the stream has sent so far and not been read (comments skipped).</summary>
    public List<StreamMessage> Pending()
    {
        var pending = new List<StreamMessage>();
        while (_messages.Reader.TryRead(out var message))
            if (message.Comment is null)
                pending.Add(message);
        return pending;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try { await _reading; } catch { }
        _stop.Dispose();
    }
}
