"""Factories for valid credit subjects and national-format rows (valid codes included)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from itertools import count
from pathlib import Path

from sqlalchemy.orm import Session

from panshi.access.schemas import CreditFileView
from panshi.accounts.schemas import Principal, Role
from panshi.core.db import unit_of_work
from panshi.identifiers import org_code_check_char, resident_id_check_char, uscc_check_char
from panshi.ingest.schemas import BatchResult
from panshi.ingest.service import Submitter, ingest_file

OPERATOR = Submitter(channel="cli", actor="test")
OPERATOR_USER = Principal(role=Role.operator, actor="test:operator", display_name="测试运营人员")


def full_file(session: Session, code: str, *, purpose: str = "测试核对") -> CreditFileView:
    """A subject's full credit file, as an operator with a purpose sees it (the read is logged)."""
    from panshi.access.service import credit_file

    return credit_file(session, who=OPERATOR_USER, code=code, purpose=purpose, channel="cli")


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_serial = count(1)


def make_uscc(n: int, *, prefix: str = "91220284") -> str:
    """The n-th valid USCC under `prefix` (registration authority, category, region)."""
    body = "MA"
    x = n
    for _ in range(6):
        body += _ALPHABET[x % 10]
        x //= 10
    org = body + org_code_check_char(body)
    first17 = prefix + org
    return first17 + uscc_check_char(first17)


def make_resident_id(n: int, *, region: str = "220284", birth: str = "19800101") -> str:
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


DEPT_USCC = make_uscc(1, prefix="11220284")
OTHER_DEPT_USCC = make_uscc(2, prefix="11220284")
DEPT_NAME = "磐石市市场监督管理局"

PENALTY_HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)", "法定代表人", "证件类型", "证件号码", "行政处罚决定书文号", "违法行为类型",
    "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]  # fmt: skip


def penalty_row(n: int | None = None, **overrides: str) -> dict[str, str]:
    """A valid 行政处罚 row of an enterprise; keyword overrides by Chinese header."""
    n = next(_serial) if n is None else n
    row = {h: "" for h in PENALTY_HEADERS}
    row |= {
        "行政相对人名称": f"磐石市测试{n}号商贸有限公司",
        "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1(统一社会信用代码)": make_uscc(1000 + n),
        "法定代表人": "王五",
        "行政处罚决定书文号": f"磐市监处罚〔2025〕{n}号",
        "违法行为类型": "销售不合格产品",
        "违法事实": "当事人销售不符合国家标准的电线电缆",
        "处罚依据": "《中华人民共和国产品质量法》第四十九条",
        "处罚类别": "警告;罚款",
        "处罚内容": "警告，罚款人民币壹万元",
        "罚款金额(万元)": "1",
        "处罚决定日期": "2025-06-01",
        "处罚有效期": "2026-06-01",
        "公示截止期": "2028-06-01",
        "处罚机关": DEPT_NAME,
        "处罚机关统一社会信用代码": DEPT_USCC,
        "数据来源单位": DEPT_NAME,
        "数据来源单位统一社会信用代码": DEPT_USCC,
    }
    row.update(overrides)
    return row


def person_penalty_row(n: int, **overrides: str) -> dict[str, str]:
    row = penalty_row(n, **{"行政相对人名称": "张三", "行政相对人类别": "自然人",
                            "行政相对人代码_1(统一社会信用代码)": "", "证件类型": "身份证",
                            "证件号码": make_resident_id(n)})  # fmt: skip
    row.update(overrides)
    return row


def write_csv(path: Path, rows: Iterable[dict[str, str]], *, encoding: str = "utf-8") -> Path:
    rows = list(rows)
    headers = list(rows[0]) if rows else PENALTY_HEADERS
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_json(path: Path, rows: Iterable[dict[str, str]], *, ndjson: bool = False) -> Path:
    rows = list(rows)
    with path.open("w", encoding="utf-8") as fh:
        if ndjson:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        else:
            json.dump(rows, fh, ensure_ascii=False)
    return path


def write_xlsx(path: Path, rows: Iterable[dict[str, str]]) -> Path:
    from openpyxl import Workbook

    rows = list(rows)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(path)
    return path


def ingest(path: Path, record_type: str = "admin_penalty", submitter: Submitter = OPERATOR) -> BatchResult:
    """Ingest one file in its own unit of work, as `panshi ingest` does."""
    with unit_of_work(write=True) as session:
        return ingest_file(session, path=path, record_type=record_type, submitter=submitter)
