using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Support;

/// <summary>
/// Checks that a page shown in English has no Chinese of its own (issue 10 item 8). Only elements marked as data
/// (<c>data-l10n="data"</c>: people's names, place names, texts users wrote) or as a language's own name
/// (<c>data-l10n="autonym"</c>: the switch's 中文) may hold Chinese; what was left out is written to the test output.
/// </summary>
public static partial class EnglishPages
{
    [GeneratedRegex(@"[\u3000-\u303F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]")]
    private static partial Regex Cjk();

    /// <summary>
    /// The page's visible text (document.body.innerText) with the marked elements hidden (innerText skips hidden text); a marked
    /// drop-down is taken out of the rendering, since innerText lists a select's options whatever their visibility.
    /// </summary>
    public const string VisibleUiText = """
        () => {
          const style = document.createElement('style');
          style.textContent = '[data-l10n] { visibility: hidden !important; } select[data-l10n] { display: none !important; }';
          document.head.appendChild(style);
          try { return document.body.innerText; } finally { style.remove(); }
        }
        """;

    private const string MarkedTexts = "() => [...document.querySelectorAll('[data-l10n]')].map(e => e.getAttribute('data-l10n') + ': ' + e.innerText)";

    /// <summary>
    /// Fails with every Chinese line of <paramref name="page"/>'s own text; <paramref name="expected"/> are English words the
    /// page must show (so an empty or still-loading page cannot pass).
    /// </summary>
    public static async Task AssertNoChineseAsync(IPage page, ITestOutputHelper output, params string[] expected)
    {
        var text = await AssertNoChineseCoreAsync(page, output, expected);
        Assert.Contains("Sign out", text);
    }

    /// <summary>
    /// The same check for an anonymous page of the public layout (公示公开, the policy list), which has no staff shell and so
    /// no "Sign out": its own words, and the switch's 中文, are checked as on a staff page.
    /// </summary>
    public static Task AssertNoChineseOnPublicPageAsync(IPage page, ITestOutputHelper output, params string[] expected) =>
        AssertNoChineseCoreAsync(page, output, expected);

    private static async Task<string> AssertNoChineseCoreAsync(IPage page, ITestOutputHelper output, string[] expected)
    {
        // The page's own signal that it is ready: every expected word is visible. A dialog's text is in the DOM before the
        // dialog is shown (Playwright's text assertions read textContent, innerText only what is rendered), so wait for it.
        try
        {
            await page.WaitForFunctionAsync("words => words.every(w => document.body.innerText.includes(w))", expected,
                new() { Timeout = BrowserTest.Patience });
        }
        catch (TimeoutException) { } // the assertions below name the missing word
        var text = await page.EvaluateAsync<string>(VisibleUiText);
        var marked = await page.EvaluateAsync<string[]>(MarkedTexts);
        output.WriteLine($"{page.Url}: left out as data or a language's own name: " + string.Join(" | ", marked));
        foreach (var word in expected) Assert.Contains(word, text);
        var chinese = text.Split('\n').Where(line => Cjk().IsMatch(line)).ToList();
        Assert.True(chinese.Count == 0, $"Chinese on the English page {page.Url}: " + string.Join(" | ", chinese));
        // What was left out is data (names, places, what people wrote) or the way back to Chinese — never the page's own words.
        Assert.All(marked, m => Assert.Matches("^(data|autonym): ", m));
        Assert.Contains(marked, m => m == "autonym: 中文");
        return text;
    }
}
