using System.Globalization;
using System.Text.RegularExpressions;

namespace OneCard.Rules.Expressions;

/// <summary>
/// The parser's (System.Linq.Dynamic.Core's) English messages in Chinese, for the located errors a policy officer reads on save.
/// The English text stays in the English reason; a message not listed here keeps its English after the Chinese prefix.
/// </summary>
internal static class ParseMessages
{
    private static readonly (Regex Pattern, string Zh)[] Known =
    [
        (new(@"^Unknown identifier '(.*)'$"), "未知的名称 {0}"),
        (new(@"^Type '(.*)' not found$"), "找不到类型 {0}（表达式不能引用 .NET 类型，只能使用已声明的事实和 Fn 辅助函数）"),
        (new(@"^Method '(.*)' on type '(.*)' is not accessible\.?$"), "不允许调用方法 {1}.{0}"),
        (new(@"^Methods on type '(.*)' are not accessible\.?$"), "不允许调用类型 {0} 的方法"),
        (new(@"^No property or field '(.*)' exists in type '(.*)'$"), "类型 {1} 没有名为 {0} 的属性或字段"),
        (new(@"^No applicable method '(.*)' exists in type '(.*)'$"), "类型 {1} 没有参数相符的方法 {0}"),
        (new(@"^No generic method '(.*)' on type '(.*)' is compatible"), "类型 {1} 没有参数相符的方法 {0}"),
        (new(@"^(.*) is not a valid value for (\w+)\."), "“{0}”不是有效的 {1} 值"),
        (new(@"^Operator '(.*)' incompatible with operand types '(.*)' and '(.*)'$"), "运算符 {0} 不能用于 {1} 和 {2} 类型的值"),
        (new(@"^Operator '(.*)' incompatible with operand type '(.*)'$"), "运算符 {0} 不能用于 {1} 类型的值"),
        (new(@"^Expression of type '(.*)' expected$"), "此处应为 {0} 类型的表达式"),
        (new(@"^Syntax error '(.*)'$"), "语法错误：{0}"),
        (new(@"^Syntax error$"), "语法错误"),
        (new(@"^Unterminated string literal$"), "字符串缺少结束的引号"),
        (new(@"^Expression expected$"), "此处缺少表达式"),
        (new(@"^Invalid (?:integer|real|binary integer) literal '(.*)'$"), "数字 {0} 写法不对"),
        (new(@"^(.+) expected$"), "此处应为 {0}"),
    ];

    /// <summary>"（第 12 个字符处）：" and the message in Chinese; the position only when the parser gives one.</summary>
    public static string Zh(Exception exception)
    {
        var message = exception.Message.Trim();
        var zh = message;
        foreach (var (pattern, template) in Known)
        {
            var m = pattern.Match(message);
            if (!m.Success) continue;
            var generic = ReferenceEquals(template, Known[^1].Zh);
            var args = m.Groups.Cast<Group>().Skip(1).Select(g => (object)(generic ? Words(g.Value) : g.Value)).ToArray();
            zh = string.Format(CultureInfo.InvariantCulture, template, args);
            break;
        }
        return exception is System.Linq.Dynamic.Core.Exceptions.ParseException { Position: >= 0 } parse
            ? string.Create(CultureInfo.InvariantCulture, $"（第 {parse.Position + 1} 个字符处）：{zh}")
            : "：" + zh;
    }

    /// <summary>The few words an "… expected" list uses.</summary>
    private static string Words(string text) => text
        .Replace(" or ", " 或 ", StringComparison.Ordinal)
        .Replace("string literal", "字符串", StringComparison.Ordinal)
        .Replace("Identifier", "名称", StringComparison.Ordinal)
        .Replace("operator", "运算符", StringComparison.Ordinal)
        .Replace("Digit", "数字", StringComparison.Ordinal);
}
