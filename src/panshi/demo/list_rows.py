"""名单信息 rows: red and black list entries of demo subjects, from the departments that list them.

About one subject in thirty is on a list: 失信被执行人 from the court (companies and people), 重大税收违法
and A级纳税人 from the tax bureau, 安全生产 from emergency management, 严重违法失信 and 经营异常名录
from market supervision, and so on. Most entries are in force today; some have ended, some state no
移出日期 (the list type's default duration applies), and `bad_fraction` of the rows carry one realistic
defect each (see `LIST_DEFECTS`)::

    rows = generate_list_rows(subjects, seed=2026, today=date.today(), bad_fraction=0.01)
    write_csv(rows, "lists.csv", encoding="utf-8-sig", headers=LIST_HEADERS)
    # then: panshi ingest lists.csv --type list_entry
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from panshi.catalog.service import get_record_type
from panshi.core.timeutil import add_months
from panshi.demo.departments import agency_uscc
from panshi.demo.headers import ID_CARD
from panshi.demo.rows import RowStream
from panshi.demo.subjects import Subject
from panshi.identifiers import org_code_check_char, uscc_check_char
from panshi.sanctions.catalog import load

LIST_HEADERS: Final = tuple(f.header for f in get_record_type("list_entry").fields)
_COLUMN: Final = {header: index for index, header in enumerate(LIST_HEADERS)}
LIST_DEFECTS: Final = ("unknown_list_type", "end_before_start", "missing_basis", "future_start")


def _customs_uscc() -> str:
    body = "MB000005"
    first17 = "11220100" + body + org_code_check_char(body)  # 长春 (220100): the customs district of 磐石
    return first17 + uscc_check_char(first17)


@dataclass(frozen=True, slots=True)
class _Lister:
    """Who lists on one list type, why, and with what decision numbers."""

    list_type: str
    authority: str
    authority_uscc: str
    number: str  # {year} {seq}
    reasons: tuple[str, ...]
    basis: str
    weight: int
    kinds: frozenset[str]  # subject kinds it lists


_COURT = ("磐石市人民法院", agency_uscc("MB000004"))
_TAX = ("国家税务总局磐石市税务局", agency_uscc("01376402"))
_MARKET = ("磐石市市场监督管理局", agency_uscc("01372815"))
_ORGS = frozenset({"legal_entity", "individual_business"})
LISTERS: Final = (
    _Lister("judgment_defaulter", *_COURT, "（{year}）吉0284执{seq}号",
            ("有履行能力而拒不履行生效法律文书确定义务", "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
             "违反财产报告制度", "违反限制消费令"),
            "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条", 30,
            frozenset({"legal_entity", "individual_business", "natural_person"})),
    _Lister("major_tax_violation", *_TAX, "磐税稽罚〔{year}〕{seq}号",
            ("虚开增值税专用发票", "偷税数额在100万元以上且占应纳税额10%以上", "逃避追缴欠税"),
            "《重大税收违法失信主体信息公布管理办法》第六条", 8, _ORGS),
    _Lister("tax_grade_a", *_TAX, "磐税信评〔{year}〕{seq}号", ("{year_before}年度纳税信用评价为A级",),
            "《纳税信用管理办法（试行）》第二十四条", 25, frozenset({"legal_entity"})),
    _Lister("work_safety_serious", "磐石市应急管理局", agency_uscc("01375308"), "磐应急失信〔{year}〕{seq}号",
            ("发生较大生产安全事故负有责任", "拒不执行安全生产停产停业整顿指令"),
            "《安全生产严重失信主体名单管理办法》第五条", 4, _ORGS),
    _Lister("market_serious", *_MARKET, "磐市监严失〔{year}〕{seq}号",
            ("因提交虚假材料取得公司登记被撤销", "生产销售假冒伪劣食品情节严重"),
            "《市场监督管理严重违法失信名单管理办法》第九条", 5, _ORGS),
    _Lister("abnormal_operation", *_MARKET, "磐市监异〔{year}〕{seq}号",
            ("未按规定期限公示年度报告", "通过登记的住所或者经营场所无法联系"),
            "《企业信息公示暂行条例》第十七条", 20, _ORGS),
    _Lister("wage_arrears", "磐石市人力资源和社会保障局", agency_uscc("01378801"), "磐人社失信〔{year}〕{seq}号",
            ("克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准",),
            "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条", 3, frozenset({"legal_entity"})),
    _Lister("procurement_serious", "磐石市财政局", agency_uscc("MB000010"), "磐财采处〔{year}〕{seq}号",
            ("提供虚假材料谋取中标", "与采购人、其他供应商恶意串通"),
            "《中华人民共和国政府采购法》第七十七条", 3, frozenset({"legal_entity"})),
    _Lister("customs_aeo", "中华人民共和国长春海关", _customs_uscc(), "长关认证〔{year}〕{seq}号",
            ("经认证符合高级认证企业标准",), "《中华人民共和国海关注册登记和备案企业信用管理办法》第十一条", 2,
            frozenset({"legal_entity"})),
    _Lister("trustworthy", "磐石市发展和改革局", agency_uscc("01370019"), "磐发改信〔{year}〕{seq}号",
            ("诚信经营典型", "守合同重信用企业"), "《关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》", 3,
            frozenset({"legal_entity"})),
)  # fmt: skip


def generate_list_rows(
    subjects: Iterable[Subject], *, seed: int, today: date, share: float = 1 / 30, bad_fraction: float = 0.0
) -> RowStream:
    """Stream list entries of about `share` of `subjects`, in LIST_HEADERS order (see the module docstring)."""
    return RowStream(LIST_HEADERS, _rows(list(subjects), random.Random(seed), today, share, bad_fraction))


def _rows(
    subjects: list[Subject], rng: random.Random, today: date, share: float, bad: float
) -> Iterator[list[str]]:
    catalog = load()
    weights = [lister.weight for lister in LISTERS]
    serials: dict[tuple[str, int], int] = {}
    for subject in subjects:
        if rng.random() >= share:
            continue
        fitting = [
            (lister, w) for lister, w in zip(LISTERS, weights, strict=True) if subject.kind in lister.kinds
        ]
        if not fitting:
            continue
        lister = rng.choices([f[0] for f in fitting], weights=[f[1] for f in fitting])[0]
        list_type = catalog.list_types[lister.list_type]
        # Started within the last duration and a half: most are in force, some have ended.
        span = (add_months(today, list_type.duration_months) - today).days * 3 // 2
        start = today - timedelta(days=rng.randrange(1, max(2, span)))
        end = (
            ""
            if rng.random() < 0.5
            else (list_type.default_end(start) + timedelta(days=rng.choice((0, 0, 365)))).isoformat()
        )
        key = (lister.list_type, start.year)
        serials[key] = serials.get(key, 0) + 1
        row = [""] * len(LIST_HEADERS)
        fill = {
            "名单类型": list_type.name if rng.random() < 0.5 else list_type.code,
            "主体名称": subject.name, "主体类别": subject.category,
            "主体代码_1(统一社会信用代码)": subject.uscc or "", "主体代码_2(工商注册号)": subject.reg_no or "",
            "法定代表人": subject.legal_rep or "",
            "证件类型": ID_CARD if subject.id_number else "", "证件号码": subject.id_number or "",
            "列入事由": rng.choice(lister.reasons).format(year_before=start.year - 1),
            "认定依据": lister.basis,
            "认定文书号": lister.number.format(year=start.year, seq=serials[key]),
            "列入日期": start.isoformat(), "移出日期": end,
            "认定单位": lister.authority, "认定单位统一社会信用代码": lister.authority_uscc,
            "数据来源单位": lister.authority, "数据来源单位统一社会信用代码": lister.authority_uscc,
        }  # fmt: skip
        for header, value in fill.items():
            row[_COLUMN[header]] = value
        if rng.random() < bad:
            _spoil(row, rng, today)
        yield row


def _spoil(row: list[str], rng: random.Random, today: date) -> None:
    defect = rng.choice(LIST_DEFECTS)
    if defect == "unknown_list_type":
        row[_COLUMN["名单类型"]] = rng.choice(("黑名单", "失信名单", "红名单"))
    elif defect == "end_before_start":
        start = date.fromisoformat(row[_COLUMN["列入日期"]])
        row[_COLUMN["移出日期"]] = (start - timedelta(days=rng.randrange(1, 60))).isoformat()
    elif defect == "missing_basis":
        row[_COLUMN["认定依据"]] = ""
    else:
        row[_COLUMN["列入日期"]] = (today + timedelta(days=rng.randrange(1, 30))).isoformat()
