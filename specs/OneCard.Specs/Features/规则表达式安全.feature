# language: zh-CN
功能: 规则表达式安全
  表单编辑器里输入的表达式和导入的文件走同一道关：保存时每个表达式先由 RulesEngine 的解析器解析，再由允许清单逐个节点
  检查，只能使用已声明的事实、Fn 辅助函数和列明的字符串、数值、日期方法。触及反射、文件系统或进程的表达式，以及能
  无限制消耗 CPU 或内存的表达式（.NET 无法中止正在运行的线程，看门狗只能放弃等待，所以必须在保存时挡住），保存即被
  拒绝：错误用中文说明是哪一条规则的表达式、为什么，规则集一个版本也不增加。

  场景大纲: 表单中输入的恶意表达式被拒绝，并说明位置和原因
    当 政策管理员 policy 打开高龄津贴规则集的表单，把<字段>的表达式改为`<表达式>`后保存
    那么 保存被拒绝，错误位置为"<位置>"，原因包含"<原因>"
    而且 高龄津贴规则集的版本仍为"1"

    例子:
      | 说明                     | 字段                        | 表达式                                                                    | 位置                      | 原因                                                                   |
      | 反射：取程序集的文件路径 | 资格规则"AgeAtLeast80"      | "".GetType().Assembly.Location.Contains("/")                              | eligibility[1].expression | 不允许调用方法 Object.GetType                                          |
      | 反射：经由事实取类型     | 资格规则"AgeAtLeast80"      | RegionCode.GetType().Assembly.GetType("System.IO.File") != null           | eligibility[1].expression | 表达式无法解析（第 31 个字符处）：不允许调用方法 Assembly.GetType      |
      | typeof 取文件类型        | 资格规则"AgeAtLeast80"      | typeof(System.IO.File) != null                                            | eligibility[1].expression | 表达式无法解析（第 1 个字符处）：未知的名称 typeof（typeof 不是已声明的事实；可用的事实：IdNumber、RegionCode、AsOf、InMinimumLivingHousehold、Age、City、AgeTier、MonthlyStandard） |
      | 读文件系统               | 资格规则"AgeAtLeast80"      | System.IO.File.Exists("/etc/passwd")                                      | eligibility[1].expression | 表达式无法解析（第 1 个字符处）：未知的名称 System（System 不是已声明的事实 |
      | 启动进程                 | 资格规则"LowIncomeUnder90"  | System.Diagnostics.Process.Start("sh") != null                            | eligibility[2].expression | 表达式无法解析（第 1 个字符处）：未知的名称 System（System 不是已声明的事实 |
      | 无界循环耗尽 CPU         | 资格规则"AgeAtLeast80"      | Enumerable.Range(0, 2147483647).Sum(x => x) > 0                           | eligibility[1].expression | 不允许调用方法 Enumerable.Range                                        |
      | 金额公式里的无界循环     | 金额公式                    | Enumerable.Range(0, 2147483647).Count() * MonthlyStandard                 | amount.expression         | 不允许调用方法 Enumerable.Range                                        |
      | 两亿字符的字符串         | 资格规则"AgeAtLeast80"      | string.Concat(Enumerable.Repeat("x", 200000000)).Length > 0               | eligibility[1].expression | 不允许调用方法 Enumerable.Repeat                                       |
      | 填充到 int.MaxValue 长   | 资格规则"AgeAtLeast80"      | RegionCode.PadLeft(2147483647).Length > 0                                 | eligibility[1].expression | 不允许调用方法 String.PadLeft                                          |
      | 三重嵌套循环             | 资格规则"ValidIdNumber"     | RegionCode.All(a => RegionCode.All(b => RegionCode.All(c => a != b)))     | eligibility[0].expression | lambda 不能嵌套（lambda 内不得再有 lambda）                            |

  场景: 恶意表达式与其他错误一并列出，各自指明位置
    当 政策管理员 policy 打开高龄津贴规则集的表单，把资格规则"AgeAtLeast80"的表达式改为`"".GetType().Assembly.Location.Contains("/")`，把资格规则"LowIncomeUnder90"的表达式改为`Enumerable.Range(0, 2147483647).Sum(x => x) > 0`后保存
    那么 保存被拒绝，错误为：
      | 位置                      | 原因                            |
      | eligibility[1].expression | 不允许调用方法 Object.GetType   |
      | eligibility[2].expression | 不允许调用方法 Enumerable.Range |
    而且 高龄津贴规则集的版本仍为"1"
    当 政策管理员 policy 把这两条规则的表达式改回原样后保存
    那么 高龄津贴规则集的版本为"2、1"
