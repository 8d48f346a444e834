"""Column headers of the national 双公示 formats (行政处罚 and 行政许可), as departments send them."""

from __future__ import annotations

from typing import Final

SUBJECT_HEADERS: Final = (
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)",
    "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
)
PENALTY_HEADERS: Final = (
    *SUBJECT_HEADERS,
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额(万元)",
    "没收违法所得、没收非法财物的金额(万元)",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
)
LICENSE_HEADERS: Final = (
    *SUBJECT_HEADERS,
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
)
# Column positions, for building and spoiling rows as lists.
PENALTY_COLUMN: Final = {header: index for index, header in enumerate(PENALTY_HEADERS)}
LICENSE_COLUMN: Final = {header: index for index, header in enumerate(LICENSE_HEADERS)}
USCC_COLUMN: Final = SUBJECT_HEADERS.index("行政相对人代码_1(统一社会信用代码)")
ID_NUMBER_COLUMN: Final = SUBJECT_HEADERS.index("证件号码")

ID_CARD: Final = "身份证"
LONG_TERM: Final = "2099-12-31"  # 有效期至 of a license without end (长期)
