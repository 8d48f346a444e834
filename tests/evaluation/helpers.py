"""Helpers of the evaluation tests: departments, and subjects built from real records by real ingest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from factories import DEPT_NAME, DEPT_USCC, ingest, make_uscc, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.core.db import unit_of_work
from sanctions.helpers import COURT, COURT_USCC, entry_row

AS_OF = date(2026, 11, 1)  # the evaluation date of the golden subjects

LICENSE_HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政许可决定文书名称", "行政许可决定文书号",
    "许可类别", "许可内容", "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态",
    "数据来源单位", "数据来源单位统一社会信用代码",
]  # fmt: skip


def company(n: int) -> tuple[str, str]:
    """Name and USCC of test company n (as factories.penalty_row(n) names it)."""
    return f"磐石市测试{n}号商贸有限公司", make_uscc(1000 + n)


def sole_trader(n: int) -> tuple[str, str]:
    """Name and USCC of test 个体工商户 n."""
    return f"磐石市测试{n}号便利店", make_uscc(1000 + n, prefix="92220284")


def add_departments() -> None:
    with unit_of_work(write=True) as session:
        accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        accounts.add_department(session, name=COURT, uscc=COURT_USCC)


def license_row(n: int, number: int = 1, **overrides: str) -> dict[str, str]:
    name, uscc = company(n)
    row = {
        "行政相对人名称": name, "行政相对人类别": "法人及非法人组织", "行政相对人代码_1(统一社会信用代码)": uscc,
        "行政许可决定文书名称": "食品经营许可证", "行政许可决定文书号": f"JY{n:05d}{number:03d}", "许可类别": "普通",
        "许可内容": "预包装食品销售", "许可决定日期": "2025-01-10", "有效期自": "2025-01-10", "有效期至": "2099-12-31",
        "许可机关": DEPT_NAME, "许可机关统一社会信用代码": DEPT_USCC, "当前状态": "1", "数据来源单位": DEPT_NAME,
        "数据来源单位统一社会信用代码": DEPT_USCC,
    }  # fmt: skip
    row.update(overrides)
    return row


def penalty(
    n: int, number: int, *, categories: str, fine: str = "", decided: str, **more: str
) -> dict[str, str]:
    """A penalty of company n (its own decision number), of these 处罚类别, decided on `decided`."""
    return penalty_row(n, **{
        "行政处罚决定书文号": f"磐市监处罚〔2025〕{n}-{number}号", "处罚类别": categories, "罚款金额(万元)": fine,
        "处罚决定日期": decided, "处罚有效期": "2099-12-31", "公示截止期": "", **more,
    })  # fmt: skip


def listed(n: int, list_type: str, *, start: str, number: int = 1, **more: str) -> dict[str, str]:
    return entry_row(
        n, list_type, **{"列入日期": start, "认定文书号": f"（2026）吉0284执{n}-{number}号", **more}
    )


def commitment(
    n: int, number: int, *, made: str, fulfilment: str = "", assessed: str = "", **more: str
) -> dict[str, str]:
    """A 容缺受理型 commitment of company n (承诺编码 from the date made and `number`), assessed on
    `assessed` as `fulfilment` (empty: not yet assessed)."""
    name, uscc = company(n)
    breached = fulfilment in ("部分履行", "全部未履行")
    return {
        "承诺编码": f"220284{made.replace('-', '')}{n:03d}{number:03d}", "承诺人名称": name,
        "承诺人类别": "法人及非法人组织", "承诺人代码(统一社会信用代码)": uscc, "承诺类型": "容缺受理型",
        "承诺事由": "申请食品经营许可，部分材料容缺", "承诺内容": "30 日内补齐营业场所产权证明",
        "违诺责任": "撤销许可，记入信用记录", "承诺作出日期": made, "承诺有效期": "2099-12-31",
        "承诺履行状态": fulfilment, "未履行的承诺内容": "未补齐营业场所产权证明" if breached else "",
        "履行状态认定日期": assessed, "认定单位": DEPT_NAME if fulfilment else "",
        "认定单位代码": DEPT_USCC if fulfilment else "", "承诺受理单位": DEPT_NAME, "受理单位代码": DEPT_USCC,
        "公开类型": "可向社会公开", **more,
    }  # fmt: skip


def load(
    tmp_path: Path,
    *,
    penalties: Sequence[dict[str, str]] = (),
    licenses: Sequence[dict[str, str]] = (),
    entries: Sequence[dict[str, str]] = (),
    commitments: Sequence[dict[str, str]] = (),
) -> None:
    """Ingest records as their departments would send them; every row must be accepted."""
    for kind, rows in (
        ("admin_penalty", penalties), ("admin_license", licenses), ("list_entry", entries),
        ("credit_commitment", commitments),
    ):  # fmt: skip
        if rows:
            result = ingest(write_csv(tmp_path / f"{kind}-{len(rows)}-{id(rows)}.csv", list(rows)), kind)
            assert result.rejected == 0, result.errors
