using System.Globalization;
using System.Reflection;
using Xunit.Sdk;

namespace OneCard.Host.IntegrationTests;

/// <summary>
/// Runs a test under a given UI culture (and culture), whatever the machine's locale: texts outside a web request read the
/// current UI culture (<c>Resources.Ui</c>), so a test of the Chinese texts must not depend on the machine being set to it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class UseCultureAttribute(string name) : BeforeAfterTestAttribute
{
    private CultureInfo? culture, uiCulture;

    public string Name { get; } = name;

    public override void Before(MethodInfo methodUnderTest)
    {
        (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(Name);
    }

    public override void After(MethodInfo methodUnderTest)
    {
        CultureInfo.CurrentCulture = culture!;
        CultureInfo.CurrentUICulture = uiCulture!;
    }
}
