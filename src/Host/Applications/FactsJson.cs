using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OneCard.Host.Applications;

/// <summary>
/// Writes a claim line's roster facts (<c>ClaimLine.FactsJson</c>): every fact but the ones the line keeps in columns of its
/// own (ID number, region, as-of date), in the facts' order. The text is exactly what <see cref="JsonSerializer"/> writes for
/// that dictionary, but a roster line's values — text, whole numbers, amounts, yes/no — go straight to one reused writer, where
/// the serializer would copy the dictionary and look each value's converter up by its runtime type. Any other value (a date, a
/// list) goes through the serializer. One per worker (not thread-safe), disposed when the worker is done.
/// </summary>
public sealed class FactsJson : IDisposable
{
    private readonly JsonSerializerOptions _options;
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _writer;

    public FactsJson(JsonSerializerOptions options)
    {
        _options = options;
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = options.Encoder, MaxDepth = options.MaxDepth });
    }

    /// <summary>Whether a fact is kept in a column of the line rather than in its facts' JSON.</summary>
    public static bool IsOwnColumn(string name) => name is "IdNumber" or "RegionCode" or "AsOf";

    /// <summary>The JSON of <paramref name="facts"/> without the facts kept in columns.</summary>
    public string Write(IReadOnlyDictionary<string, object?> facts)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        _writer.WriteStartObject();
        foreach (var (name, value) in facts)
        {
            if (IsOwnColumn(name)) continue;
            _writer.WritePropertyName(name);
            switch (value)
            {
                case null: _writer.WriteNullValue(); break;
                case string text: _writer.WriteStringValue(text); break;
                case int number: _writer.WriteNumberValue(number); break;
                case long number: _writer.WriteNumberValue(number); break;
                case decimal amount: _writer.WriteNumberValue(amount); break;
                case bool flag: _writer.WriteBooleanValue(flag); break;
                default: JsonSerializer.Serialize(_writer, value, value.GetType(), _options); break;
            }
        }
        _writer.WriteEndObject();
        _writer.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose() => _writer.Dispose();
}
