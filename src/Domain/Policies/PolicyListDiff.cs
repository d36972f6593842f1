namespace OneCard.Domain.Policies;

/// <summary>One field that changed between two years' lists, in words (补贴标准: 旧 → 新).</summary>
public sealed record PolicyFieldChange(string Field, string FieldZh, string Before, string After);

/// <summary>An item present in both lists whose published columns differ.</summary>
public sealed record PolicyItemChange(string Code, string NameZh, IReadOnlyList<PolicyFieldChange> Changes);

/// <summary>An item added or removed.</summary>
public sealed record PolicyItemRef(string Code, string NameZh);

/// <summary>
/// A list against the previous year's: added items, removed items and, for items in both, every published column
/// that changed (standard, amount, shares, basis, department, target, frequency, months, period, status).
/// </summary>
public sealed record PolicyListDiff(IReadOnlyList<PolicyItemRef> Added, IReadOnlyList<PolicyItemRef> Removed, IReadOnlyList<PolicyItemChange> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

    public static PolicyListDiff Compare(IEnumerable<PolicyListItem> previous, IEnumerable<PolicyListItem> current)
    {
        var before = previous.ToDictionary(i => i.Code, StringComparer.Ordinal);
        var after = current.ToDictionary(i => i.Code, StringComparer.Ordinal);
        var added = after.Values.Where(i => !before.ContainsKey(i.Code)).OrderBy(i => i.Seq).Select(i => new PolicyItemRef(i.Code, i.NameZh)).ToList();
        var removed = before.Values.Where(i => !after.ContainsKey(i.Code)).OrderBy(i => i.Seq).Select(i => new PolicyItemRef(i.Code, i.NameZh)).ToList();
        var changed = new List<PolicyItemChange>();
        foreach (var now in after.Values.OrderBy(i => i.Seq))
        {
            if (!before.TryGetValue(now.Code, out var then)) continue;
            var changes = Columns.Select(c => (c.Field, c.FieldZh, Before: c.Read(then), After: c.Read(now)))
                .Where(c => c.Before != c.After).Select(c => new PolicyFieldChange(c.Field, c.FieldZh, c.Before, c.After)).ToList();
            if (changes.Count > 0) changed.Add(new PolicyItemChange(now.Code, now.NameZh, changes));
        }
        return new PolicyListDiff(added, removed, changed);
    }

    private static readonly (string Field, string FieldZh, Func<PolicyListItem, string> Read)[] Columns =
    [
        ("nameZh", "政策名称", i => i.NameZh),
        ("departmentCode", "主管部门", i => i.DepartmentCode),
        ("basis", "政策依据", i => i.Basis),
        ("target", "补贴对象", i => $"{(i.Target == PolicyTarget.Person ? "到人" : "到户")}：{i.TargetText}"),
        ("standardText", "补贴标准", i => i.StandardText),
        ("amount", "标准金额", i => i.AmountText),
        ("shares", "资金分担比例", i => i.SharesText),
        ("frequency", "发放频次", i => i.Frequency),
        ("paymentMonths", "发放月份", i => i.PaymentMonths),
        ("effective", "有效期", i => i.EffectiveText),
        ("status", "状态", i => i.Status == PolicyItemStatus.Active ? "执行中" : "停止执行"),
    ];
}
