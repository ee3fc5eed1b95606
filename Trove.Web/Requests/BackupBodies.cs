using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>POST /backups</c>: <c>{"backup": {"name", "instance", "description", "parent_id", "incremental"}}</c>.</summary>
public sealed record CreateBackupBody(CreateBackupBody.BackupFields? Backup) : IRequestBody<CreateBackupBody>
{
    public sealed record BackupFields(
        string? Name,
        string? Instance,
        [property: JsonConverter(typeof(RequestText.Long))] string? Description,
        [property: JsonPropertyName("parent_id")] string? ParentId,
        [property: JsonConverter(typeof(RequestFlag))] bool? Incremental)
    {
        /// <summary>Upstream's <c>incremental</c>: on top of the instance's latest completed backup, when no parent is named.</summary>
        [JsonIgnore]
        public bool OnLatest => ParentId is null && Incremental == true;
    }

    public static JsonTypeInfo<CreateBackupBody> JsonInfo => RequestJson.Default.CreateBackupBody;

    public void Validate()
    {
        var backup = Backup ?? throw RequestError.Invalid("the body must be an object with a 'backup' object.");
        DisplayName.Check(backup.Name);
        if (backup.Instance is null)
            throw RequestError.Invalid("'instance' is required.");
    }
}
