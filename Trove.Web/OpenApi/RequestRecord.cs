using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Trove.Web.OpenApi;

/// <summary>
/// The request record a route reads its body into (<see cref="Validation.Body{T}"/> declares it), which the document
/// gives as the operation's request body. Not <c>Accepts</c> metadata: that would also make routing refuse a body sent
/// with another content type (415), where the API reads any body as JSON.
/// </summary>
public sealed record RequestRecord(Type Type, bool Optional = false)
{
    public static OpenApiOptions AddRequestBodies(OpenApiOptions options) => options.AddOperationTransformer(async (operation, context, ct) =>
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestRecord>().FirstOrDefault() is not { } record)
            return;
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(record.Type.Name) is not true)
            document.AddComponent(record.Type.Name, await context.GetOrCreateSchemaAsync(record.Type, null, ct));
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = !record.Optional,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(record.Type.Name, document) },
            },
        };
    });
}
