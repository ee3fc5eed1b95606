using System.Text.Json.Nodes;
using Trove.Actors.History;

namespace Trove.Web.Views;

/// <summary>One entry of an instance's or a backup's history (<c>/events</c>, and the <c>event</c> of a stream's message).</summary>
public static class HistoryView
{
    public static JsonObject Of(HistoryEntry e) => new()
    {
        ["id"] = e.Id,
        ["type"] = e.Type,
        ["created"] = InstanceView.Timestamp(e.Created),
        ["task"] = e.Task,
        ["status"] = e.Status,
        ["fault"] = e.Fault,
        ["user"] = e.User,
    };
}
