using System.Text.Json.Serialization;
using Trove.Web.Requests;

namespace Trove.Web.Validation;

/// <summary>
/// The request bodies the API reads, serialized by generated code. Upstream's spelling is kept field by field
/// (<c>flavorRef</c>, <c>datastore_manager</c>); every string is <see cref="RequestText"/>, so a number is not a name
/// and no field is longer than the API keeps. Keys a record does not name are ignored, as upstream's schemas allow.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, Converters = [typeof(RequestText)])]
[JsonSerializable(typeof(CreateInstanceBody))]
[JsonSerializable(typeof(UpdateInstanceBody))]
[JsonSerializable(typeof(InstanceActionBody))]
[JsonSerializable(typeof(DatabasesBody))]
[JsonSerializable(typeof(UsersBody))]
[JsonSerializable(typeof(UserChangeBody))]
[JsonSerializable(typeof(CreateBackupBody))]
[JsonSerializable(typeof(CreateConfigurationBody))]
[JsonSerializable(typeof(ChangeConfigurationBody))]
[JsonSerializable(typeof(NewDatastoreVersionBody))]
[JsonSerializable(typeof(DatastoreVersionChangeBody))]
[JsonSerializable(typeof(QuotasBody))]
[JsonSerializable(typeof(RootBody))]
[JsonSerializable(typeof(PasswordLoginBody))]
[JsonSerializable(typeof(MgmtInstanceActionBody))]
[JsonSerializable(typeof(ConfigurationParameterBody))]
[JsonSerializable(typeof(GuestLogBody))]
public sealed partial class RequestJson : JsonSerializerContext;
