using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Trove.Web.Requests;
using Trove.Web.Validation;

namespace Trove.Web.OpenApi;

/// <summary>
/// The request records (Trove.Web/Requests) as the body's reader takes them, where the generated schema cannot tell:
/// a <see cref="Scalar"/> is a string or a number; a string read by a <see cref="RequestText"/> converter is a string; and
/// no field is required by the schema, since the records read every field as optional and their own checks
/// (<see cref="IRequestBody{TSelf}.Validate"/>) refuse what is missing with Trove's 400.
/// </summary>
public static class RequestSchemas
{
    public static OpenApiOptions AddRequestSchemas(this OpenApiOptions options) => RequestRecord.AddRequestBodies(options).AddSchemaTransformer((schema, context, _) =>
    {
        if ((Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type) == typeof(Scalar))
        {
            schema.Type = JsonSchemaType.String | JsonSchemaType.Number;
            schema.Description = "A string or a number.";
        }
        else if (context.JsonPropertyInfo?.PropertyType == typeof(string) && schema.Type is null)
            schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
        else if (context.JsonTypeInfo.Type.Namespace == typeof(RootBody).Namespace)
            schema.Required?.Clear();
        return Task.CompletedTask;
    });
}
