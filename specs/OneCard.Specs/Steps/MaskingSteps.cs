using System.Net;
using System.Text.Json;
using OneCard.Domain.Privacy;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Masking (脱敏) on every public surface.</summary>
[Binding]
public sealed class MaskingSteps(ScenarioState state)
{
    [Then(@"^(公示|公开)中的姓名显示为:$")]
    public async Task ThenNames(string kind, Table table)
    {
        var lines = Lines(await PublicitySteps.Notice(state, kind));
        foreach (var row in table.Rows)
        {
            var lineNo = int.Parse(row["明细"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(row["姓名"], lines.Single(l => l.GetProperty("lineNo").GetInt32() == lineNo).GetProperty("name").GetString());
        }
    }

    [Then(@"^(公示|公开)中的身份证号只显示前2位和后3位，银行账号只显示""\*\*\*\*""加后4位$")]
    [Then(@"^(公示|公开)信息中的姓名、身份证号和银行账号同样脱敏$")]
    public async Task ThenMasked(string kind)
    {
        var lines = Lines(await PublicitySteps.Notice(state, kind));
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var roster = state.Roster[line.GetProperty("lineNo").GetInt32() - 1];
            var id = roster.IdNumber;
            Assert.Equal(id[..2] + new string('*', 13) + id[^3..], line.GetProperty("idNumber").GetString());
            Assert.Equal("****" + roster.BankAccount[^4..], line.GetProperty("account").GetString());
            Assert.Equal(Masking.Name(roster.Name), line.GetProperty("name").GetString());
            Assert.EndsWith("*", line.GetProperty("name").GetString(), StringComparison.Ordinal);
        }
    }

    [Then(@"^所有公开接口的原始JSON中没有完整身份证号，也没有完整银行账号$")]
    public async Task ThenNoLeak()
    {
        var list = await Raw("/api/public/notices");
        var pages = new List<string> { list };
        foreach (var notice in JsonDocument.Parse(list).RootElement.EnumerateArray())
            pages.Add(await Raw($"/api/public/notices/{notice.GetProperty("id").GetGuid()}"));
        Assert.True(pages.Count > 1, "No public notice to scan.");
        // ASP.NET Core escapes non-ASCII as \uXXXX: scan the unescaped text too, so a leaked name is seen.
        foreach (var page in pages.Concat(pages.Select(Unescaped)).ToList())
        {
            Assert.False(Masking.ContainsUnmaskedIdNumber(page), $"Unmasked ID number on a public page: {page}");
            foreach (var line in state.Roster)
            {
                Assert.DoesNotContain(line.IdNumber, page, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(line.BankAccount, page, StringComparison.Ordinal);
                // A full account shown with separators or cut short still exposes it; the last four are all that may show.
                Assert.DoesNotContain(line.BankAccount[..^4], page, StringComparison.Ordinal);
                Assert.DoesNotContain(line.Name, page, StringComparison.Ordinal);
            }
        }
    }

    private async Task<string> Raw(string path)
    {
        using var response = await state.Public.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Unescaped(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Relaxed);

    private static List<JsonElement> Lines(JsonElement notice) => [.. notice.GetProperty("lines").EnumerateArray()];
}
