using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Trove.Web.Requests;
using Trove.Web.Validation;

namespace Trove.Tests.Api;

/// <summary>The typed request records: every one is read by the source-generated context, every string in them is
/// capped, and a body keeps every guarantee the hand-walked JSON gave (an object, no key twice, no lone surrogate).</summary>
public sealed class RequestBodyTests
{
    private static readonly Type[] RequestRecords = typeof(RequestJson).Assembly.GetTypes()
        .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestBody<>)))
        .ToArray();

    [Fact]
    public void The_generated_context_covers_every_request_record_and_every_record_it_holds()
    {
        Assert.Contains(typeof(CreateInstanceBody), RequestRecords); // the enumeration finds what it must
        Assert.Contains(typeof(PasswordLoginBody), RequestRecords);
        foreach (var type in RequestRecords)
        {
            var info = (JsonTypeInfo)type.GetProperty(nameof(IRequestBody<RootBody>.JsonInfo), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            Assert.Equal(type, info.Type);
            Assert.Same(RequestJson.Default, info.OriginatingResolver);
        }
        var parts = typeof(RequestJson).Assembly.GetTypes().Where(t => t.Namespace == typeof(CreateInstanceBody).Namespace && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)));
        Assert.All(parts, part => Assert.NotNull(RequestJson.Default.GetTypeInfo(part)));
    }

    public static TheoryData<string, string, string> OversizedFields()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var type in RequestRecords)
            foreach (var (json, field) in Oversized(RequestJson.Default.GetTypeInfo(type)!, inner => inner, depth: 0))
                data.Add(type.Name, json, field);
        return data;
    }

    [Theory]
    [MemberData(nameof(OversizedFields))]
    public void Every_string_of_every_request_record_is_capped(string record, string json, string field)
    {
        var type = RequestRecords.Single(t => t.Name == record);
        var error = Assert.Throws<RequestError>(() => Deserialize(type, json));
        Assert.Equal(400, error.Code);
        Assert.Contains($"'{field}' must be at most", error.Message);
    }

    [Fact]
    public void A_name_given_as_a_number_or_a_list_is_refused_by_its_field()
    {
        var error = Assert.Throws<RequestError>(() => JsonBody.Read(Parse("""{"version": {"name": 16, "datastore_manager": "postgresql"}}"""), NewDatastoreVersionBody.JsonInfo));
        Assert.Equal("Validation error: 'name' must be a string.", error.Message);
        error = Assert.Throws<RequestError>(() => JsonBody.Read(Parse("""{"instance": {"name": "x", "users": [{"name": ["app"]}]}}"""), CreateInstanceBody.JsonInfo));
        Assert.Equal("Validation error: 'name' must be a string.", error.Message);
    }

    [Theory]
    [InlineData("""{"instance": []}""", "the body must be an object with a 'instance' object.")]
    [InlineData("""{"instance": {"volume": "big"}}""", "the body must be an object with a 'volume' object.")]
    [InlineData("""{"instance": {"users": [1]}}""", "each of 'users' must be an object.")]
    [InlineData("""{"instance": {"databases": {"name": "a"}}}""", "'databases' must be a list.")]
    [InlineData("""{"instance": {"flavorRef": {"id": 1}}}""", "'flavorRef' must be a string or a number.")]
    [InlineData("""{"instance": {"users": [{"name": "a", "databases": [{"name": 1}]}]}}""", "'name' must be a string.")]
    public void A_value_of_the_wrong_kind_is_refused_in_the_words_the_api_has_always_used(string json, string message)
    {
        var error = Assert.Throws<RequestError>(() => JsonBody.Read(Parse(json), CreateInstanceBody.JsonInfo));
        Assert.Equal($"Validation error: {message}", error.Message);
    }

    [Fact]
    public void A_flag_that_is_not_true_or_false_is_refused()
    {
        var error = Assert.Throws<RequestError>(() => JsonBody.Read(Parse("""{"active": "yes"}"""), DatastoreVersionChangeBody.JsonInfo));
        Assert.Equal("Validation error: 'active' must be true or false.", error.Message);
    }

    [Fact]
    public void References_and_sizes_are_taken_as_strings_or_numbers_as_upstream_clients_send_them()
    {
        var body = JsonBody.Read(Parse("""{"instance": {"name": "x", "flavorRef": 2, "volume": {"size": "3"}}}"""), CreateInstanceBody.JsonInfo);
        Assert.Equal("2", body.Instance!.FlavorRef!.Value.Text);
        Assert.Equal("3", body.Instance.Volume!.Size!.Value.Text);
        var quotas = JsonBody.Read(Parse("""{"quotas": {"instances": 5, "volumes": "-1"}}"""), QuotasBody.JsonInfo);
        Assert.Equal(new Dictionary<string, int> { ["instances"] = 5, ["volumes"] = -1 }, quotas.Limits());
    }

    [Theory]
    [InlineData("""{"active": true, "active": false}""")] // a key given twice
    [InlineData("""{"active": true, "note": "\ud800"}""")] // a lone surrogate, even in a field no record reads
    [InlineData("""[{"active": true}]""")] // not an object
    [InlineData("""{"active": true""")] // cut short
    [InlineData("""{"active": "yes"}""")]
    [InlineData("""{}""")]
    public async Task A_body_the_hand_walked_reader_refused_is_still_refused(string json)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var bound = await Body<DatastoreVersionChangeBody>.BindAsync(context, null!);
        Assert.Equal(400, bound!.Error?.Code);
    }

    [Fact]
    public async Task A_well_formed_body_binds_to_its_checked_record()
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream("""{"active": false}"""u8.ToArray());
        var bound = await Body<DatastoreVersionChangeBody>.BindAsync(context, null!);
        Assert.Null(bound!.Error);
        Assert.False(bound.Value.Active);
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static void Deserialize(Type type, string json)
    {
        try
        {
            typeof(JsonBody).GetMethod(nameof(JsonBody.Deserialize))!.MakeGenericMethod(type)
                .Invoke(null, [JsonNode.Parse(json), RequestJson.Default.GetTypeInfo(type)]);
        }
        catch (TargetInvocationException e)
        {
            throw e.InnerException!;
        }
    }

    /// <summary>For each string (or string-or-number) reachable in a record, a body with that one field too long.</summary>
    private static IEnumerable<(string Json, string Field)> Oversized(JsonTypeInfo info, Func<string, string> wrap, int depth)
    {
        var tooLong = $"\"{new string('x', JsonBody.DescriptionLength + 1)}\"";
        foreach (var property in info.Properties.Where(p => p.Set is not null && !p.IsExtensionData)) // what a body can set, not what a record computes or the keys it names only to refuse
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var name = property.Name;
            if (type == typeof(string) || type == typeof(Scalar))
                yield return (wrap($"{{\"{name}\": {tooLong}}}"), name);
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                var item = Nullable.GetUnderlyingType(type.GetGenericArguments()[0]) ?? type.GetGenericArguments()[0];
                foreach (var found in Part(item, inner => wrap($"{{\"{name}\": [{inner}]}}"), name, depth))
                    yield return found;
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
                yield return (wrap($"{{\"{name}\": {{\"key\": {tooLong}}}}}"), "key");
            else if (type.Namespace == typeof(CreateInstanceBody).Namespace)
                foreach (var found in Oversized(RequestJson.Default.GetTypeInfo(type)!, inner => wrap($"{{\"{name}\": {inner}}}"), depth + 1))
                    yield return found;
        }
    }

    private static IEnumerable<(string Json, string Field)> Part(Type item, Func<string, string> wrap, string name, int depth) =>
        item == typeof(string)
            ? [(wrap($"\"{new string('x', JsonBody.DescriptionLength + 1)}\""), name)]
            : Oversized(RequestJson.Default.GetTypeInfo(item)!, wrap, depth + 1);
}
