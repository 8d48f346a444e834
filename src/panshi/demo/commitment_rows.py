"""信用承诺 rows: credit commitments of demo subjects, from the departments that accept them.

About one subject in eight makes a commitment (a few make two): 容缺受理型 to 市场监督管理局 for a
license whose papers are not all there yet, 证明事项型 to the tax bureau (and to 人社局 for people),
审批替代型 to 住建局 (告知承诺制), 主动型 and 行业自律型 to 发展和改革局, and 信用修复型 to the
department that penalised the subject, after the penalty's minimum publicity (given `penalties`, the
demo's 行政处罚 rows). 承诺编码 is 220284 + 承诺作出日期 + a serial of the day. Older commitments are
assessed (履行状态: mostly 全部履行, some 部分履行 or 全部未履行, with what was not kept and what
followed), recent ones not yet. Most are 可向社会公开; `bad_fraction` of the rows carry one realistic
defect each (see `COMMITMENT_DEFECTS`; the stream's `defects` says which row has which)::

    rows = generate_commitment_rows(subjects, seed=2026, today=date.today(), penalties=penalty_rows)
    write_csv(rows, "commitments.csv", encoding="utf-8-sig", headers=COMMITMENT_HEADERS)
    # then: panshi ingest commitments.csv --type credit_commitment
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from panshi.cases.rules import load as load_case_rules
from panshi.catalog.service import get_record_type
from panshi.core.timeutil import add_months
from panshi.demo.catalogue import (
    ANYONE,
    INDIVIDUAL_BUSINESS,
    LEGAL_ENTITY,
    NATURAL_PERSON,
    ORGANISATIONS,
    PEOPLE,
)
from panshi.demo.departments import DEPARTMENTS
from panshi.demo.headers import ID_CARD, LONG_TERM
from panshi.demo.list_rows import LISTERS
from panshi.demo.rows import RowStream
from panshi.demo.subjects import Subject
from panshi.demo.words import INDUSTRIES, REGION, SHOPS

_FIELDS: Final = get_record_type("credit_commitment").fields
COMMITMENT_HEADERS: Final = tuple(f.header for f in _FIELDS)
_COLUMN: Final = {f.name: index for index, f in enumerate(_FIELDS)}
# A malformed 承诺编码; 有效期 before 作出日期; 部分履行/全部未履行 without 未履行的承诺内容; 认定日期 before 作出日期.
COMMITMENT_DEFECTS: Final = (
    "bad_code",
    "valid_before_made",
    "breach_without_content",
    "assessed_before_made",
)

KEPT, PARTLY, BROKEN = "全部履行", "部分履行", "全部未履行"
_FULFILMENT: Final = ((KEPT, 86), (PARTLY, 9), (BROKEN, 5))
_DISCLOSURE: Final = {  # 公开类型: people keep more of theirs out of public view
    "organisation": (("可向社会公开", 85), ("特定范围内公开", 10), ("不可公开", 5)),
    NATURAL_PERSON: (("可向社会公开", 55), ("特定范围内公开", 30), ("不可公开", 15)),
}
_MINIMUM_PUBLICITY_DAYS: Final = 92  # a repair commitment comes after the penalty's minimum (3 months)
_HISTORY_DAYS: Final = 3 * 365  # commitments made within the last three years
_ADULT_YEARS: Final = 18
_NOT_PUBLISHED: Final = frozenset({"警告", "通报批评"})  # penalties only of these are never public

# 行政处罚 columns a repair commitment is drawn from.
_P_USCC, _P_ID = "行政相对人代码_1(统一社会信用代码)", "证件号码"
_P_NUMBER, _P_DATE, _P_KINDS = "行政处罚决定书文号", "处罚决定日期", "处罚类别"
_P_AUTHORITY, _P_AUTHORITY_USCC, _P_TYPE = "处罚机关", "处罚机关统一社会信用代码", "违法行为类型"


def _department(part: str) -> tuple[str, str]:
    found = next(d for d in DEPARTMENTS if part in d.name)
    return found.name, found.uscc


# The same 发展和改革局 that lists 守信激励对象 (list_rows): one name and code for it in the demo.
_DEVELOPMENT: Final = next((x.authority, x.authority_uscc) for x in LISTERS if x.list_type == "trustworthy")
_MARKET, _TAX = _department("市场监督管理局"), _department("税务局")
_HOUSING, _LABOUR = _department("住房和城乡建设局"), _department("人力资源和社会保障局")


@dataclass(frozen=True, slots=True)
class _Texts:
    """What a commitment of one type says, and what is recorded when it is not kept (str.format
    templates; {self} is 本单位 or 本人, {days} the term, the others come from the plan's fills)."""

    cause: str
    content: str
    liability: str
    partly: str  # 未履行的承诺内容 of a 部分履行
    broken: str  # … of a 全部未履行
    pursued_partly: str  # 违诺责任追究内容
    pursued_broken: str


_TEXTS: Final = {
    "容缺受理型": _Texts(
        "申请{matter}，{proof}暂缺，申请容缺受理",
        "{self}申请办理{matter}，{proof}暂未提供。{self}承诺在受理之日起{days}日内补齐{proof}，所提交的其他申请"
        "材料真实、合法、有效；补齐前不以该许可名义从事相关经营活动。",
        "逾期未补齐或所补材料与承诺不符的，同意撤销许可决定，承担由此产生的法律责任，并同意将违诺情况记入信用记录。",
        "承诺期满时已补齐部分材料，{proof}仍未提供",
        "承诺期满未补齐{proof}，且已以该许可名义从事经营活动",
        "责令限期补正，列为重点监管对象",
        "撤销{matter}决定，将违诺信息记入信用记录",
    ),
    "证明事项型": _Texts(
        "办理{matter}，以书面承诺代替{proof}",
        "{self}已知晓{matter}所需证明事项的要求，承诺所申报的情况真实、准确、完整，符合规定条件，以本承诺代替"
        "{proof}；愿意接受主管部门的事后核查。",
        "承诺不实的，依法撤销办理结果，承担相应法律责任，并同意将承诺不实的情况记入信用记录。",
        "经核查，部分申报事项与承诺不符，{proof}所证明事项未能全部证实",
        "经核查，{proof}所证明事项与实际情况不符",
        "责令限期更正，补充提交{proof}",
        "撤销{matter}办理结果，今后办理同类事项不再适用告知承诺制",
    ),
    "审批替代型": _Texts(
        "申请{matter}，以告知承诺方式办理",
        "{self}已知晓{matter}的全部条件和要求，承诺符合{proof}等条件，所提交材料真实有效，并在取得许可后"
        "接受主管部门的现场核查。",
        "承诺不实或未达到承诺条件的，同意撤销相关许可，三年内不再适用告知承诺制，并承担相应法律责任。",
        "经现场核查，部分{proof}未达到承诺条件",
        "经现场核查，{proof}与承诺不符",
        "责令限期整改，整改期间列为重点监管对象",
        "撤销{matter}，三年内不得适用告知承诺制，记入信用记录",
    ),
    "主动型": _Texts(
        "参加“{matter}”活动，主动向社会作出信用承诺",
        "{self}承诺严格遵守法律法规，依法诚信经营，不制售假冒伪劣商品，不侵犯知识产权，按时足额缴纳税款和"
        "社会保险费，自觉接受政府部门、行业组织、社会公众和新闻舆论的监督。",
        "违背承诺的，自愿接受相关部门依法依规实施的失信惩戒，并同意将违诺情况记入信用记录、向社会公开。",
        "承诺期内{proof}，已按要求整改",
        "承诺期内{proof}，拒不整改",
        "约谈并责令整改",
        "取消“{matter}”活动参与资格，将违诺情况记入信用记录",
    ),
    "行业自律型": _Texts(
        "{matter}组织会员单位作出行业自律承诺",
        "{self}作为{matter}会员，承诺遵守行业自律公约，公平竞争、明码标价、诚实守信，不以不正当手段排挤竞争"
        "对手，不损害消费者合法权益，接受行业协会和社会公众的监督。",
        "违背承诺的，接受行业协会的自律惩戒，并同意将违诺情况记入信用记录。",
        "承诺期内{proof}，经协会督促已改正",
        "承诺期内{proof}，经协会督促仍未改正",
        "行业内通报批评",
        "取消会员资格，将违诺情况记入信用记录",
    ),
    "信用修复型": _Texts(
        "申请对行政处罚（{matter}）所涉失信信息进行信用修复",
        "{self}已履行行政处罚决定书（{matter}）规定的全部义务，已纠正{proof}行为并消除不良影响。{self}承诺"
        "今后严格遵守法律法规，杜绝同类违法行为再次发生，主动接受监督检查。",
        "",  # the case rules' own (cases-*.yaml repair.commitment.liability)
        "承诺期内未按要求完成整改，{proof}行为未彻底纠正",
        "承诺期内再次发生{proof}行为",
        "约谈并责令限期整改",
        "撤销信用修复决定，恢复公示该行政处罚信息并重新计算公示期",
    ),
}


@dataclass(frozen=True, slots=True)
class _Plan:
    """One kind of commitment a department accepts, and from whom."""

    commitment_type: str
    acceptor: tuple[str, str]
    items: tuple[tuple[str, str], ...]  # ({matter}, {proof}) of the texts: what it is about
    valid_days: tuple[int, ...]  # 承诺有效期 after 作出日期; 0: 长期
    check_days: tuple[int, int]  # days from 作出日期 (or the term's end) to the 履行状态认定
    kinds: frozenset[str] = ORGANISATIONS
    sectors: frozenset[str] = frozenset()  # empty: any
    weight: int = 1
    after_term: bool = False  # assessed after the term ends (补齐材料的期限), not within it


def _each(matters: tuple[str, ...], proofs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Every matter with every proof: the items of a plan whose texts fit any pairing."""
    return tuple(itertools.product(matters, proofs))


_BUSINESS: Final = frozenset(sector for _, sector in (*INDUSTRIES, *SHOPS))  # not 机关, 事业单位, 社会组织
_FIRMS: Final = frozenset({LEGAL_ENTITY})
PLANS: Final = (
    _Plan("容缺受理型", _MARKET, _each(("食品经营许可",), ("食品安全管理制度文本", "经营场所平面布局图",
                                                          "从业人员健康证明", "食品安全管理人员培训合格证明")),
          (15, 30, 30, 60), (1, 15), sectors=frozenset({"food", "hospitality", "retail"}), weight=10,
          after_term=True),
    _Plan("容缺受理型", _MARKET, _each(("食品生产许可",), ("食品安全专业技术人员资格证明", "生产设备布局图和工艺流程图",
                                                          "食品安全自查制度文本")),
          (30, 60), (1, 15), sectors=frozenset({"food", "agriculture"}), weight=4, after_term=True),
    _Plan("容缺受理型", _MARKET, (("药品经营许可", "质量管理人员学历证明"), ("药品经营许可", "仓储设施设备目录"),
                                  ("第二类医疗器械经营备案", "经营场所产权证明")),
          (30, 60), (1, 15), sectors=frozenset({"medical", "hygiene"}), weight=3, after_term=True),
    _Plan("容缺受理型", _MARKET, (("营业执照变更登记", "住所（经营场所）使用证明"), ("营业执照变更登记", "股东会决议原件"),
                                  ("特种设备使用登记", "特种设备安装监督检验报告")),
          (15, 30), (1, 15), sectors=_BUSINESS, weight=4, after_term=True),
    _Plan("证明事项型", _TAX, (("增值税专用发票最高开票限额审批", "生产经营情况证明"),
                               ("房产税、城镇土地使用税困难减免", "受灾损失情况证明")),
          (180, 365), (30, 180), kinds=_FIRMS, weight=3),
    _Plan("证明事项型", _TAX, (("车辆购置税免税", "车辆用途证明"), ("代开增值税普通发票", "货物来源及经营情况证明")),
          (180, 365), (30, 180), kinds=ANYONE, weight=3),
    _Plan("证明事项型", _LABOUR, (("职业资格考试报名", "学历证明"), ("职业技能等级认定", "从事本职业工作年限证明"),
                                  ("失业保险金申领", "未就业情况证明")),
          (180, 365), (30, 120), kinds=PEOPLE, weight=6),
    _Plan("审批替代型", _HOUSING, (("建筑业企业资质（告知承诺制审批）", "注册建造师和技术工人配备"),
                                   ("建筑工程施工许可（告知承诺制）", "施工图设计文件审查合格及建设资金落实"),
                                   ("房地产开发企业资质核定（告知承诺制）", "专业技术人员和开发业绩")),
          (365, 730, 1095), (60, 180), kinds=_FIRMS, sectors=frozenset({"construction", "realestate"}), weight=12),
    _Plan("主动型", _DEVELOPMENT, _each(("诚信兴商", "守合同重信用", "放心消费"),
                                        ("因销售不合格产品受到行政处罚", "未按时足额缴纳社会保险费", "因价格违法行为被投诉查实")),
          (365, 730, 1095, 0), (330, 400), sectors=_BUSINESS, weight=5),
    _Plan("行业自律型", _DEVELOPMENT, _each(("磐石市餐饮行业协会",), ("未明码标价被消费者投诉", "以低于成本价格恶意竞争")),
          (365, 730), (330, 400), sectors=frozenset({"food", "hospitality"}), weight=3),
    _Plan("行业自律型", _DEVELOPMENT, _each(("磐石市建筑业协会",), ("围标串标被查实", "拖欠分包单位工程款被投诉查实")),
          (365, 730), (330, 400), kinds=_FIRMS, sectors=frozenset({"construction"}), weight=3),
)  # fmt: skip
# 信用修复型: the penalising department and the penalty come from the subject's own 行政处罚.
_REPAIR: Final = _Plan("信用修复型", ("", ""), (), (365, 730), (330, 400), kinds=ANYONE, weight=6)


class CommitmentStream(RowStream):
    """Commitment rows; `defects` maps each spoiled row (0-based, as taken so far) to its defect."""

    def __init__(self, lists: Iterator[list[str]], defects: dict[int, str]) -> None:
        super().__init__(COMMITMENT_HEADERS, lists)
        self.defects = defects


def generate_commitment_rows(
    subjects: Iterable[Subject],
    *,
    seed: int,
    today: date,
    share: float = 1 / 8,
    bad_fraction: float = 0.0,
    penalties: Iterable[Mapping[str, str]] = (),
) -> CommitmentStream:
    """Stream commitments of about `share` of `subjects`, made within three years before `today`,
    in COMMITMENT_HEADERS order (see the module docstring)."""
    if not 0.0 <= bad_fraction <= 1.0:
        raise ValueError(f"bad_fraction must be within [0, 1], got {bad_fraction}")
    defects: dict[int, str] = {}
    maker = _Maker(random.Random(seed), today, _repairable(penalties, today))
    return CommitmentStream(maker.rows(list(subjects), share, bad_fraction, defects), defects)


@dataclass(frozen=True, slots=True)
class _Penalty:
    number: str
    decided: date
    authority: tuple[str, str]
    violation: str


def _repairable(penalties: Iterable[Mapping[str, str]], today: date) -> dict[str, list[_Penalty]]:
    """Published penalties whose minimum publicity has passed, by the subject's USCC or ID number."""
    found: dict[str, list[_Penalty]] = defaultdict(list)
    for row in penalties:
        code = row.get(_P_USCC) or row.get(_P_ID) or ""
        try:
            decided = date.fromisoformat(row.get(_P_DATE, ""))
        except ValueError:  # a spoiled demo row
            continue
        kinds = set(row.get(_P_KINDS, "").split(";"))
        if (
            code
            and row.get(_P_NUMBER)
            and not kinds <= _NOT_PUBLISHED
            and (decided + timedelta(days=_MINIMUM_PUBLICITY_DAYS) < today)
        ):
            authority = (row.get(_P_AUTHORITY, ""), row.get(_P_AUTHORITY_USCC, ""))
            found[code].append(_Penalty(row[_P_NUMBER], decided, authority, row.get(_P_TYPE, "")))
    return found


def _adult_since(subject: Subject) -> date | None:
    """The day a natural person turned 18 (from the ID number's birth date); None for others."""
    if subject.kind != NATURAL_PERSON or not subject.id_number:
        return None
    born = date(int(subject.id_number[6:10]), int(subject.id_number[10:12]), int(subject.id_number[12:14]))
    return add_months(born, 12 * _ADULT_YEARS)


class _Maker:
    def __init__(self, rng: random.Random, today: date, penalties: dict[str, list[_Penalty]]) -> None:
        self.rng = rng
        self.today = today
        self.penalties = penalties
        self.serials: dict[date, int] = defaultdict(int)  # 承诺编码's serial of each day
        self.repair_liability = load_case_rules().repair.commitment.liability

    def rows(
        self, subjects: list[Subject], share: float, bad: float, defects: dict[int, str]
    ) -> Iterator[list[str]]:
        rng, index = self.rng, 0
        for subject in subjects:
            if rng.random() >= share:
                continue
            adult = _adult_since(subject)
            earliest = max(self.today - timedelta(days=_HISTORY_DAYS), adult or date.min)
            if earliest > self.today:  # a minor makes no commitments
                continue
            for _ in range(2 if rng.random() < 0.2 else 1):
                row = self.row(subject, earliest)
                if row is None:
                    continue
                if rng.random() < bad:
                    defects[index] = self.spoil(row)
                index += 1
                yield row

    def row(self, subject: Subject, earliest: date) -> list[str] | None:
        rng = self.rng
        code = subject.uscc or subject.id_number or ""
        repairs = [p for p in self.penalties.get(code, ()) if p.decided >= earliest]
        plans = [
            p for p in PLANS if subject.kind in p.kinds and (not p.sectors or subject.sector in p.sectors)
        ]
        plans += [_REPAIR] if repairs else []
        if not plans:
            return None
        plan = rng.choices(plans, weights=[p.weight for p in plans])[0]
        acceptor = plan.acceptor
        if plan is _REPAIR:
            penalty = rng.choice(repairs)
            acceptor = penalty.authority
            fills = {"matter": penalty.number, "proof": penalty.violation}
            first = penalty.decided + timedelta(days=_MINIMUM_PUBLICITY_DAYS)
            made = first + timedelta(days=rng.randrange(max(1, min(400, (self.today - first).days + 1))))
        else:
            matter, proof = rng.choice(plan.items)
            fills = {"matter": matter, "proof": proof}
            made = earliest + timedelta(days=rng.randrange(max(1, (self.today - earliest).days + 1)))
        term = rng.choice(plan.valid_days)
        valid = date.fromisoformat(LONG_TERM) if term == 0 else made + timedelta(days=term)
        fills |= {"self": "本人" if subject.kind == NATURAL_PERSON else "本单位", "days": str(term)}
        texts = _TEXTS[plan.commitment_type]
        self.serials[made] += 1
        row = [""] * len(COMMITMENT_HEADERS)
        values = {
            "commitment_code": f"{REGION}{made:%Y%m%d}{self.serials[made]:06d}",
            "subject_name": subject.name, "subject_category": subject.category,
            "subject_uscc": subject.uscc or "",
            "subject_reg_no": (subject.reg_no or "") if subject.kind == INDIVIDUAL_BUSINESS else "",
            "id_type": ID_CARD if subject.kind == NATURAL_PERSON else "",
            "id_number": (subject.id_number or "") if subject.kind == NATURAL_PERSON else "",
            "commitment_type": plan.commitment_type,
            "cause": texts.cause.format(**fills), "content": texts.content.format(**fills),
            "liability": texts.liability or self.repair_liability,
            "made_on": made.isoformat(), "valid_until": valid.isoformat(),
            "acceptor": acceptor[0], "acceptor_uscc": acceptor[1],
            "disclosure_type": self.draw(_DISCLOSURE.get(subject.kind, _DISCLOSURE["organisation"])),
            "remarks": "长期有效" if term == 0 else "",
        }  # fmt: skip
        for name, value in values.items():
            row[_COLUMN[name]] = value
        start = valid if plan.after_term else made
        assessed = start + timedelta(days=rng.randint(*plan.check_days))
        if assessed <= self.today:
            self.assess(row, texts, fills, acceptor, assessed, self.draw(_FULFILMENT))
        return row

    def draw(self, pairs: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]

    def assess(
        self,
        row: list[str],
        texts: _Texts,
        fills: Mapping[str, str],
        by: tuple[str, str],
        on: date,
        state: str,
    ) -> None:
        row[_COLUMN["fulfilment"]] = state
        row[_COLUMN["assessed_on"]] = on.isoformat()
        row[_COLUMN["assessor"]], row[_COLUMN["assessor_uscc"]] = by
        if state != KEPT:
            unkept, pursued = (
                (texts.partly, texts.pursued_partly)
                if state == PARTLY
                else (texts.broken, texts.pursued_broken)
            )
            row[_COLUMN["unfulfilled_content"]] = unkept.format(**fills)
            row[_COLUMN["liability_pursued"]] = pursued.format(**fills)

    # --- defects -------------------------------------------------------------------------------
    def spoil(self, row: list[str]) -> str:
        rng = self.rng
        defect = rng.choice(COMMITMENT_DEFECTS)
        made = date.fromisoformat(row[_COLUMN["made_on"]])
        code = row[_COLUMN["commitment_code"]]
        if defect == "bad_code":  # a digit lost, a 6-digit date, or the department's own document number
            row[_COLUMN["commitment_code"]] = rng.choice((
                code[:-1], f"{REGION}{made:%y%m%d}{code[-6:]}", f"磐承诺〔{made.year}〕{int(code[-6:])}号"
            ))  # fmt: skip
        elif defect == "valid_before_made":
            row[_COLUMN["valid_until"]] = (made - timedelta(days=rng.randrange(1, 60))).isoformat()
        else:
            self._assessed(row, made, broken=defect == "breach_without_content")
            if defect == "breach_without_content":
                row[_COLUMN["unfulfilled_content"]] = ""
            else:
                row[_COLUMN["assessed_on"]] = (made - timedelta(days=rng.randrange(1, 30))).isoformat()
        return defect

    def _assessed(self, row: list[str], made: date, *, broken: bool) -> None:
        """Make the row assessed by its acceptor, some day since it was made, if it is not yet; as a
        breach (全部未履行) when `broken` and it is not one yet."""
        state = row[_COLUMN["fulfilment"]]
        if state and (state != KEPT or not broken):
            return
        on = made + timedelta(days=self.rng.randrange((self.today - made).days + 1))
        row[_COLUMN["fulfilment"]] = BROKEN if broken else KEPT
        row[_COLUMN["assessed_on"]] = row[_COLUMN["assessed_on"]] or on.isoformat()
        row[_COLUMN["assessor"]] = row[_COLUMN["acceptor"]]
        row[_COLUMN["assessor_uscc"]] = row[_COLUMN["acceptor_uscc"]]
        row[_COLUMN["liability_pursued"]] = "撤销相关办理结果，将违诺信息记入信用记录" if broken else ""
