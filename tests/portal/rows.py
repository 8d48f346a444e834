"""Rows the portal tests need beyond tests/factories.py: a valid 行政许可 row."""

from __future__ import annotations

from factories import DEPT_NAME, DEPT_USCC, make_uscc


def license_row(n: int, **overrides: str) -> dict[str, str]:
    """A valid 行政许可 row of an enterprise (the same subject as penalty_row(n)); overrides by header."""
    row = {
        "行政相对人名称": f"磐石市测试{n}号商贸有限公司",
        "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1(统一社会信用代码)": make_uscc(1000 + n),
        "法定代表人": "王五",
        "行政许可决定文书名称": "食品经营许可决定书",
        "行政许可决定文书号": f"磐市监许〔2025〕{n}号",
        "许可类别": "普通",
        "许可证书名称": "食品经营许可证",
        "许可编号": f"JY1220284{n:07d}",
        "许可内容": "预包装食品销售（含冷藏冷冻食品）",
        "许可决定日期": "2025-05-20",
        "有效期自": "2025-05-20",
        "有效期至": "2099-12-31",
        "许可机关": DEPT_NAME,
        "许可机关统一社会信用代码": DEPT_USCC,
        "当前状态": "1",
        "数据来源单位": DEPT_NAME,
        "数据来源单位统一社会信用代码": DEPT_USCC,
    }
    row.update(overrides)
    return row
