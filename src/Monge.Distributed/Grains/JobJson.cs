using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monge.Distributed.Grains;

/// <summary>The JSON options of the job's small store blocks (spec, summary, failure): NaN costs allowed.</summary>
internal static class JobJson
{
    public static JsonSerializerOptions Options { get; } = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static byte[] Encode<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Decode<T>(string key, byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Options) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new Storage.BlockCorruptException(key, $"Block '{key}' is not the expected JSON ({ex.Message}).");
        }
    }
}
