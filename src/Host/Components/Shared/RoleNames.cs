using AntDesign;
using OneCard.Domain.Users;

namespace OneCard.Host.Components.Shared;

/// <summary>Chinese names of roles, workflow actions and line outcomes as the UI shows them.</summary>
public static class RoleNames
{
    public static string Zh(string role) => role switch
    {
        Roles.TownshipClerk => "乡镇（街道）经办人",
        Roles.CountyReviewer => "县级主管部门审核人",
        Roles.Inspector => "现场核查人员",
        Roles.FinanceReviewer => "财政复核人员",
        Roles.Supervisor => "监管人员",
        Roles.Administrator => "系统管理员",
        Roles.PolicyOfficer => "政策管理员",
        Roles.System => "系统",
        _ => role,
    };

    public static string Action(string action) => action switch
    {
        "Approve" => "通过",
        "Return" => "退回",
        "Reject" => "驳回",
        "Complete" => "办结",
        "Resubmit" => "重新提交",
        "Withdraw" => "撤回",
        "Submit" => "提交",
        "PublicityEnded" => "公示期满",
        "BankResultsReconciled" => "回盘对账完成",
        _ => action,
    };

    /// <summary>Actions that need a comment; the server enforces it too (CommentRequired).</summary>
    public static bool NeedsComment(string action) => action is "Return" or "Reject";

    public static (string Text, TagColor Color) Outcome(string outcome) => outcome switch
    {
        "Eligible" => ("符合", TagColor.Green),
        "Ineligible" => ("不符合", TagColor.Orange),
        "Faulted" => ("规则故障", TagColor.Magenta),
        "Rejected" => ("已驳回", TagColor.Red),
        "Instructed" => ("已下发", TagColor.Blue),
        "Paid" => ("已发放", TagColor.Cyan),
        "Failed" => ("退票", TagColor.Volcano),
        _ => (outcome, TagColor.Default),
    };

    public static string Sample(string? result) => result switch
    {
        "Pending" => "待核查",
        "Passed" => "合格",
        "Failed" => "不合格",
        _ => "",
    };

    public static string Objection(string status) => status switch
    {
        "Open" => "待处理",
        "Upheld" => "成立",
        "Dismissed" => "不成立",
        _ => status,
    };
}
