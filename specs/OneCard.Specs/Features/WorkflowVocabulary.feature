# language: zh-CN
功能: 流程定义词汇表
  流程定义中的守卫条件（guard）、进入环节时的处理（onEnter）和明细操作（lineActions）
  都必须是系统已注册的名称。拼错的名称在启动时就被拒绝，并指明是哪个流程定义、
  哪一条转移或哪个环节、哪个字段，而不是等案件走到那一步才出错。

  场景: 流程定义中拼错的守卫条件在启动时被拒绝，并指明位置
    假如 流程目录中新增 standard-subsidy 第3版，其第9条转移的 guard 拼错为"AllSampleLinesChecked"
    当 系统以该流程目录启动
    那么 系统拒绝启动
    而且 错误信息包含"流程定义 standard-subsidy@3（standard-subsidy.v3.json）第9条转移（SampleCheck —Complete→ Publicity）的 guard “AllSampleLinesChecked” 未注册（是否应为 AllSampledLinesChecked？）"
