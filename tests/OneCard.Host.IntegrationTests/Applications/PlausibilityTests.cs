using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Host.Applications;
using OneCard.Host.Platform;
using OneCard.Rules.RuleSets;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>Issue 5, finding 7 (the input part): numbers are read unambiguously and within bounds; an overflow is a validation error.</summary>
public sealed class PlausibilityTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<HttpResponseMessage> SubmitAsync(object area)
    {
        var line = new
        {
            name = "张三", idNumber = CaseDriver.Id("21012419800101123"), regionCode = "210124101", bankAccount = Claims.Account,
            bankName = "邮储银行", facts = new Dictionary<string, object> { ["AreaMu"] = area, ["LandConverted"] = false },
        };
        return await (await driver.As("clerk")).PostAsJsonAsync("/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines = new[] { line } });
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1,500")]
    [InlineData("1，5")]
    public async Task Submit_RefusesNumbersWithACommaOrThousandsSeparator_AsAmbiguous(string area)
    {
        var response = await SubmitAsync(area);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, body);
        var error = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("FactAmbiguousNumber", error.GetProperty("code").GetString());
        Assert.Contains("含千位分隔符或逗号，请只用小数点", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_NormalisesFullWidthDigits_AsTypedWithAChineseInputMethod()
    {
        var response = await SubmitAsync("１２．５");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        Assert.Equal(1066.88m, JsonDocument.Parse(body).RootElement.GetProperty("payableAmount").GetDecimal()); // 12.5 × 85.35
    }

    [Theory]
    [InlineData(99_999_999_999_999)]
    [InlineData(999_999_999_999_999_999)]
    public async Task Submit_RefusesAnAreaTooLargeToStore_AsAValidationError_NotAConflict(long area)
    {
        var response = await SubmitAsync(area);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, body);
        var error = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("FactOutOfRange", error.GetProperty("code").GetString());
        Assert.Equal("承包面积（亩）", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Submit_RefusesAnAreaAboveTheRuleSetsMaximum()
    {
        // The shipped v1 declares no maximum; a rule set that does (as the next version will) is honoured.
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "arable-land-protection.v1.json"))
            .Replace("\"minimum\": 0 }", "\"minimum\": 0, \"maximum\": 10000 }", StringComparison.Ordinal);
        var ruleSet = RuleSetLoader.Load(json, "with-maximum.json");
        Assert.Equal(10000m, ruleSet.Facts.Single(f => f.Name == "AreaMu").Maximum);
        var input = new ClaimInput(1, "张三", CaseDriver.Id("21012419800101123"), "210124101", Claims.Account, "邮储银行",
            new Dictionary<string, string?> { ["AreaMu"] = "1000000000", ["LandConverted"] = "否" });
        var errors = new LineErrors();

        var (valid, _) = new ClaimValidator(app.Services.GetRequiredService<RegionDirectory>().Codes, new DateOnly(2026, 3, 2))
            .Validate([input], ruleSet, "210124101", errors);

        Assert.Empty(valid);
        var error = Assert.Single(errors);
        Assert.Equal(("承包面积（亩）", "FactAboveMaximum"), (error.Field, error.Code));
    }
}
