# language: zh-CN
功能: 跨地区访问
  用户只看得到、办得了本地区的数据；地区外的案件如同不存在（404）。

  背景:
    假如 大孤家子镇经办人以CSV文件上传了一个3户的花名册

  场景: 康平县审核人看不到也办不了法库县的案件
    当 经办人 clerk.review 执行"Approve"
    那么 审核人 reviewer 能看到该案件
    而且 审核人 reviewer 的待办中有1个任务
    但是 审核人 reviewer.kangping 查看该案件得到404
    而且 审核人 reviewer.kangping 的申报列表中没有该案件
    而且 审核人 reviewer.kangping 对该案件执行"Approve"得到404
    而且 审核人 reviewer.kangping 的待办为空

  场景: 三面船镇经办人看不到大孤家子镇的待办
    那么 经办人 clerk.review 的待办中有1个任务
    但是 经办人 clerk2 的待办为空
    而且 经办人 clerk2 查看该案件得到404
    而且 经办人 clerk2 的申报列表中没有该案件
