using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using System.Security.Claims;
using OneCard.Host.Components.Shared;
using OneCard.Host.Platform;
using Ui = OneCard.Host.Resources.Ui;

namespace OneCard.Host.IntegrationTests.Localization;

/// <summary>
/// The UI's resources as compiled (the neutral Chinese set in the host assembly, English in its <c>en</c> satellite): English is
/// complete and has no Chinese in it; the request's language is decided in the documented order; due dates read per culture.
/// No database.
/// </summary>
public sealed partial class LocalizationResourceTests
{
    /// <summary>CJK ideographs (unified, extension A, compatibility), CJK punctuation and full-width forms.</summary>
    [GeneratedRegex(@"[\u3000-\u303F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]")]
    private static partial Regex Cjk();

    private static Dictionary<string, string> Set(CultureInfo culture)
    {
        var set = Ui.Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No resources for {culture.Name}.");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
    }

    [Fact]
    public void EnglishResources_HaveEveryChineseKey_AndNoOther()
    {
        var chinese = Set(CultureInfo.InvariantCulture);
        var english = Set(CultureInfo.GetCultureInfo("en"));
        Assert.True(chinese.Count > 100, $"only {chinese.Count} neutral texts were found");
        Assert.Empty(chinese.Keys.Except(english.Keys).Order());
        Assert.Empty(english.Keys.Except(chinese.Keys).Order());
    }

    [Fact]
    public void EnglishValues_AreNotEmpty_AndHaveNoChineseCharacters()
    {
        var english = Set(CultureInfo.GetCultureInfo("en"));
        Assert.Empty(english.Where(e => string.IsNullOrWhiteSpace(e.Value)).Select(e => e.Key));
        Assert.Empty(english.Where(e => Cjk().IsMatch(e.Value)).Select(e => $"{e.Key}: {e.Value}"));
    }

    [Fact]
    public void ChineseValues_AreChinese_WhereTheyAreWords()
    {
        // The neutral set is the Chinese UI: a text that is words (not a pure placeholder like "{0}") has Chinese in it.
        var chinese = Set(CultureInfo.InvariantCulture);
        Assert.Empty(chinese.Where(e => Regex.IsMatch(e.Value, "[A-Za-z]{3,}") && !Cjk().IsMatch(e.Value)).Select(e => $"{e.Key}: {e.Value}"));
    }

    [Fact]
    public void AKey_ReadsInTheCurrentUiCulture()
    {
        Assert.Equal("待办任务", Ui.T("Inbox.Title", CultureInfo.GetCultureInfo("zh-CN")));
        Assert.Equal("Inbox", Ui.T("Inbox.Title", CultureInfo.GetCultureInfo("en")));
        // en-US falls back to en, as a browser's tag would.
        Assert.Equal("Inbox", Ui.T("Inbox.Title", CultureInfo.GetCultureInfo("en-US")));
    }

    [Fact]
    public void DueDates_ReadAsPeopleSayThem_InEachLanguage()
    {
        var now = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.FromHours(8));
        // Stored as the exclusive end: 00:00 on the 10th, China time, is "by the 9th".
        var due = new DateTimeOffset(2026, 12, 10, 0, 0, 0, TimeSpan.FromHours(8));
        Assert.Equal("12月9日（星期三）内办结", InCulture("zh-CN", () => DueDates.Text(due, now)));
        Assert.Equal("due by Wed 9 Dec", InCulture("en", () => DueDates.Text(due, now)));
        Assert.Equal("due by Mon 4 Jan 2027", InCulture("en", () => DueDates.Text(new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.FromHours(8)), now)));
        Assert.Equal("Township clerk", InCulture("en", () => RoleNames.Name(Domain.Users.Roles.TownshipClerk)));
        // The server's own texts (notices, refusals) keep the Chinese name whatever the culture.
        Assert.Equal("乡镇（街道）经办人", InCulture("en", () => RoleNames.Zh(Domain.Users.Roles.TownshipClerk)));
    }

    [Theory]
    [InlineData("/api/tasks", "en", null, null, "en")]                      // the user's preference first
    [InlineData("/api/tasks", "zh-CN", "en", "en-US", "zh-CN")]             // … over the cookie and the header
    [InlineData("/inbox", null, "en", null, "en")]                          // then the culture cookie
    [InlineData("/api/tasks", null, null, "en-US,en;q=0.9", "en")]          // then Accept-Language, for the API
    [InlineData("/api/tasks", null, null, "fr-FR,zh;q=0.8,en;q=0.5", "zh-CN")]
    [InlineData("/inbox", null, null, "en-US,en;q=0.9", "zh-CN")]           // … not for the pages
    [InlineData("/_blazor", null, null, "en-US", "zh-CN")]                  // … nor their circuit
    [InlineData("/inbox", null, null, null, "zh-CN")]                       // else Chinese
    public void Language_IsThePreference_ThenTheCookie_ThenAcceptLanguageForTheApi_ThenChinese(
        string path, string? preference, string? cookie, string? acceptLanguage, string expected)
    {
        var http = new DefaultHttpContext();
        http.Request.Path = path;
        if (preference is not null)
            http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(Language.Claim, preference)], "test"));
        if (cookie is not null) http.Request.Headers.Cookie = $".AspNetCore.Culture={Uri.EscapeDataString($"c={cookie}|uic={cookie}")}";
        if (acceptLanguage is not null) http.Request.Headers.AcceptLanguage = acceptLanguage;
        Assert.Equal(expected, Language.Resolve(http));
    }

    private static T InCulture<T>(string name, Func<T> read)
    {
        var previous = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);
            return read();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = previous;
        }
    }
}
