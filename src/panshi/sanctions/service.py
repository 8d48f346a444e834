"""Checks (联合奖惩核查): a subject and a scenario in; its lists, the measures to apply and a receipt out.

Checks are set-based: `run_checks` takes many requests and answers them with one statement to find
their subjects by code, one to read their list entries (with the data version), and one insert that
logs them all, so the batch form, the single form and the group commit of concurrent single checks
(`panshi.sanctions.pipeline`) are the same code. A request that fails (unknown scenario, bad code, no
or several subjects) gets its error and leaves no trace; the others are answered and logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy.orm import Session

from panshi.access.schemas import KIND_LABELS
from panshi.accounts.schemas import Principal
from panshi.cases.service import open_objection_record_ids
from panshi.catalog.service import load_catalog
from panshi.core.errors import NotFound, PanshiError
from panshi.core.settings import get_settings
from panshi.core.timeutil import to_shanghai, today_shanghai, utcnow
from panshi.evaluation.schemas import GradeOut
from panshi.evaluation.service import latest_grades
from panshi.identifiers import identify, mask_resident_id, normalize, region_name
from panshi.sanctions import repository
from panshi.sanctions.catalog import SanctionsCatalog, Scenario, load
from panshi.sanctions.entries import Entry, entries_in_force
from panshi.sanctions.schemas import (
    MAX_BATCH,
    BatchCheckIn,
    BatchCheckOut,
    BatchItem,
    Caller,
    Candidate,
    CheckAnswer,
    CheckIn,
    CheckOut,
    ListHit,
    MeasureOut,
    Receipt,
    Resolution,
    Scope,
    SubjectOut,
    WithheldMeasure,
)
from panshi.subjects import service as subjects

NAME_KINDS = ("legal_entity", "individual_business")  # persons are checked by ID number, never by name
CANDIDATES_SHOWN = 10
_CODE_SHAPE = re.compile(r"[0-9A-Z-]{8,22}")


class CheckRefused(PanshiError):
    """A check that cannot be answered; nothing about it is recorded."""

    status_code = 422
    candidates: list[Candidate] = []


class UnknownScenario(CheckRefused):
    code = "unknown_scenario"


class BadSubjectCode(CheckRefused):
    code = "bad_subject_code"


class SubjectNotFound(CheckRefused):
    code = "subject_not_found"
    status_code = 404


class AmbiguousSubject(CheckRefused):
    """A name that several subjects may bear: the caller picks one and checks it by its code."""

    code = "ambiguous_subject"
    status_code = 409

    def __init__(self, message: str, *, candidates: list[Candidate]) -> None:
        super().__init__(message)
        self.candidates = candidates


class BatchTooLarge(CheckRefused):
    code = "batch_too_large"


class BadPurpose(CheckRefused):
    code = "bad_purpose"


class BadCheckRequest(CheckRefused):
    code = "invalid_request"


class CheckBodyTooLarge(CheckRefused):
    code = "request_too_large"
    status_code = 413


MAX_CHECK_BODY = 64 * 1024  # bytes: a check names one subject; anything larger is refused unread


def parse_check(raw: bytes) -> CheckIn:
    """A check request's JSON body, validated (after the caller was authorised: a refused caller learns
    nothing about what a valid request looks like)."""
    if len(raw) > MAX_CHECK_BODY:
        raise CheckBodyTooLarge(f"请求体过大：单次核查的请求体不得超过 {MAX_CHECK_BODY // 1024} KB")
    try:
        return CheckIn.model_validate_json(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise BadCheckRequest(f"请求参数有误：{problems or '请求体须为 JSON 对象'}") from None


@dataclass(frozen=True)
class CheckRequest:
    who: Principal
    subject: str
    scenario: str
    purpose: str
    case_reference: str
    channel: str = "api"
    batch_id: str | None = None


@dataclass(frozen=True)
class _Resolved:
    subject: Any
    resolution: Resolution


# --- one check and many ----------------------------------------------------------------------------


def check(session: Session, *, who: Principal, body: CheckIn, channel: str = "api") -> CheckOut:
    """Check one subject in one scenario, log the check and return the answer with its receipt."""
    request = CheckRequest(who, body.subject, body.scenario, body.purpose, body.case_reference, channel)
    result = run_checks(session, [request])[0]
    if isinstance(result, CheckRefused):
        raise result
    return result


def check_batch(session: Session, *, who: Principal, body: BatchCheckIn) -> BatchCheckOut:
    """批量比对: up to MAX_BATCH subjects in one scenario; each is checked and logged, or refused alone."""
    if len(body.subjects) > MAX_BATCH:
        raise BatchTooLarge(
            f"一次批量核查最多 {MAX_BATCH} 个主体，本次提交了 {len(body.subjects)} 个：请拆分为多批提交"
        )
    catalog = load()
    scenario = scenario_of(catalog, body.scenario)
    purpose = clean_purpose(body.purpose)
    batch_id = new_check_id()
    requests = [
        CheckRequest(who, s, scenario.code, purpose, body.case_reference, "batch", batch_id)
        for s in body.subjects
    ]
    results = run_checks(session, requests)
    items = []
    for index, (given, result) in enumerate(zip(body.subjects, results, strict=True)):
        if isinstance(result, CheckRefused):
            items.append(BatchItem(index=index, subject=given, error=result.code, message=result.message,
                                   candidates=result.candidates))  # fmt: skip
        else:
            items.append(BatchItem(index=index, subject=given, check=result))
    checked = [i for i in items if i.check is not None]
    return BatchCheckOut(
        batch_id=batch_id, scenario=Scope(code=scenario.code, name=scenario.name), received=len(items),
        checked=len(checked), on_lists=sum(1 for i in checked if i.check and i.check.answer.on_lists),
        failed=len(items) - len(checked), items=items,
    )  # fmt: skip


def run_checks(
    session: Session, requests: list[CheckRequest], *, on: date | None = None
) -> list[CheckOut | CheckRefused]:
    """Answer and log many checks at once; see the module docstring."""
    catalog = load()
    on = on or today_shanghai()
    results: list[CheckOut | CheckRefused | None] = [None] * len(requests)
    scenarios: dict[int, Scenario] = {}
    for i, request in enumerate(requests):
        try:
            scenarios[i] = scenario_of(catalog, request.scenario)
            clean_purpose(request.purpose)
        except CheckRefused as refused:
            results[i] = refused
    resolved = _resolve(session, {i: requests[i].subject for i in scenarios if results[i] is None})
    for i, found in resolved.items():
        if isinstance(found, CheckRefused):
            results[i] = found
    answered = {i: r for i, r in resolved.items() if isinstance(r, _Resolved)}
    if not answered:  # every request refused: nothing to read or log
        return [r for r in results if r is not None]
    in_force, version = entries_in_force(
        session, sorted({r.subject.id for r in answered.values()}), on=on, catalog=catalog
    )
    grades = latest_grades(session, sorted({r.subject.id for r in answered.values()}))
    objections = open_objection_record_ids(session, [e.record_id for es in in_force.values() for e in es])
    now = utcnow()
    stamp = _Stamp(now, to_shanghai(now).strftime("%Y-%m"), f"records:{version}",
                   f"lists:{catalog.version};catalog:{load_catalog().version}")  # fmt: skip
    rows = []
    for i, found in answered.items():
        request = requests[i]
        out, row = _answer(
            request=request, scenario=scenarios[i], found=found, catalog=catalog,
            entries=in_force.get(found.subject.id, []), grade=grades.get(found.subject.id), stamp=stamp,
            objections=objections,
        )  # fmt: skip
        results[i] = out
        rows.append(row)
    repository.insert_checks(session, rows)
    return [r for r in results if r is not None]


def scenario_of(catalog: SanctionsCatalog, text: str) -> Scenario:
    scenario = catalog.scenario(text)
    if scenario is None:
        known = "、".join(f"{s.code}（{s.name}）" for s in catalog.scenarios.values())
        raise UnknownScenario(f"未知的应用场景 {text!r}；可用：{known}")
    return scenario


def clean_purpose(purpose: str) -> str:
    cleaned = " ".join(purpose.split())
    if not 2 <= len(cleaned) <= 200:
        raise BadPurpose("核查事由须为 2–200 个字")
    return cleaned


def new_check_id() -> str:
    """32 hex digits that sort by time (milliseconds first): ids of one day sit together in the index."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(10)}"


# --- finding the subject ---------------------------------------------------------------------------


def _is_code(text: str) -> bool:
    normal = normalize(text)
    return bool(_CODE_SHAPE.fullmatch(normal)) and any(ch.isdigit() for ch in normal)


def _resolve(session: Session, wanted: dict[int, str]) -> dict[int, _Resolved | CheckRefused]:
    """Each request's subject: codes all at once, names one by one (ranked, never guessed)."""
    out: dict[int, _Resolved | CheckRefused] = {}
    codes: dict[int, str] = {}
    persons: set[str] = set()
    for i, text in wanted.items():
        if not _is_code(text):
            out[i] = _by_name(session, text)
            continue
        checked = identify(normalize(text))
        if checked.kind in ("uscc", "resident_id", "org_code") and not checked.valid:
            problems = "；".join(issue.message for issue in checked.errors)
            out[i] = BadSubjectCode(f"{checked.kind_label}无效：{problems}")
        else:
            codes[i] = checked.normal
            if checked.kind == "resident_id":
                persons.add(checked.normal)
    found = subjects.find_subjects(session, list(set(codes.values())))
    for i, code in codes.items():
        subject = found.get(code)
        shown = mask_resident_id(code) if code in persons else code
        if subject is None:
            out[i] = SubjectNotFound(
                f"平台未归集代码为“{shown}”的信用主体的信息：请核对代码，或以其他代码（统一社会信用代码、注册号）核查"
            )
        else:
            out[i] = _Resolved(subject, Resolution(by="code", query=shown, why="按代码唯一确定"))
    return out


def _name_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def _why(score: float) -> str:
    if score >= 3:
        return "名称完全一致"
    if score >= 2:
        return "名称以查询内容开头"
    if score >= 1:
        return "名称包含查询内容"
    return "名称依次包含查询内容的各个字（容错匹配）"


def _by_name(session: Session, text: str) -> _Resolved | CheckRefused:
    words = " ".join(text.split())
    try:
        found, more = subjects.search_by_name(
            session, words=words, kinds=NAME_KINDS, offset=0, limit=CANDIDATES_SHOWN
        )
    except NotFound:
        found, more = [], False
    if not found:
        return SubjectNotFound(f"没有名称与“{words}”相符的信用主体：请核对名称，或以统一社会信用代码核查")
    candidates = [
        Candidate(
            code=subjects.url_code(s), name=s.name, kind_label=KIND_LABELS.get(s.kind, s.kind), uscc=s.uscc,
            region_name=region_name(s.region_code) if s.region_code else None, score=score,
            why=_why(score) if _name_key(s.name) != _name_key(words) else "名称完全一致",
        )
        for s, score in found
    ]  # fmt: skip
    exact = [s for s, _ in found if _name_key(s.name) == _name_key(words)]
    if len(exact) == 1:
        why = "名称与唯一一个信用主体完全一致" + (
            f"（另有 {len(found) - 1} 个相近名称，见 candidates）" if len(found) > 1 else ""
        )
        return _Resolved(exact[0], Resolution(by="name", query=words, why=why, candidates=candidates))
    if len(exact) > 1:
        reason = f"有 {len(exact)} 个信用主体名称都是“{words}”"
    else:
        reason = f"没有名称恰为“{words}”的信用主体，相近的有 {len(found)}{'+' if more else ''} 个"
    return AmbiguousSubject(f"无法按名称唯一确定主体：{reason}。请从候选中选定，并以其统一社会信用代码核查",
                            candidates=candidates)  # fmt: skip


# --- the answer, its receipt and its log row -------------------------------------------------------


@dataclass(frozen=True)
class _Stamp:
    """What every answer of one group shares: when, the month it counts in, the data and catalog versions."""

    now: datetime
    month: str
    data_version: str
    catalog_version: str


def _answer(
    *,
    request: CheckRequest,
    scenario: Scenario,
    found: _Resolved,
    catalog: SanctionsCatalog,
    entries: list[Entry],
    grade: GradeOut | None,
    stamp: _Stamp,
    objections: set[int],
) -> tuple[CheckOut, dict[str, Any]]:
    who, subject = request.who, found.subject
    hits = [_hit(e, objection_open=e.record_id in objections) for e in entries]
    measures, withheld = _measures(catalog, entries, scenario)
    check_id = new_check_id()
    now, data_version = stamp.now, stamp.data_version
    answer = CheckAnswer(
        check_id=check_id, checked_at=now,
        caller=Caller(actor=who.actor, role=who.role.value, department_id=who.department_id,
                      department_name=who.department_name),
        scenario=Scope(code=scenario.code, name=scenario.name), purpose=clean_purpose(request.purpose),
        case_reference=request.case_reference.strip(), subject=_subject_out(subject), resolution=found.resolution,
        on_lists=bool(hits), black_listed=any(h.list_kind == "black" for h in hits),
        red_listed=any(h.list_kind == "red" for h in hits), lists=hits, measures=measures,
        withheld_measures=withheld, grade=grade, data_version=data_version,
        catalog_version=stamp.catalog_version,
    )  # fmt: skip
    document = answer.model_dump(mode="json")
    text = canonical_json(document, floats=bool(found.resolution.candidates))
    digest = hashlib.sha256(text.encode()).hexdigest()
    checked_at = str(document["checked_at"])
    receipt = Receipt(check_id=check_id, checked_at=now, data_version=data_version, answer_sha256=digest,
                      signature=sign(check_id, checked_at, data_version, digest))  # fmt: skip
    row = {
        "id": check_id, "at": now, "month": stamp.month, "department_id": who.department_id,
        "actor": who.actor[:200], "role": who.role.value, "channel": request.channel, "batch_id": request.batch_id,
        "scenario": scenario.code, "subject_id": subject.id, "query_kind": found.resolution.by,
        "purpose": answer.purpose, "case_reference": answer.case_reference[:100], "hits": len(hits),
        "measure_codes": (";" + ";".join(m.code for m in measures) + ";") if measures else "",
        "data_version": data_version, "answer": text, "answer_sha256": digest, "signature": receipt.signature,
    }  # fmt: skip
    out = CheckOut(answer=answer, receipt=receipt)
    out.set_canonical(text)
    return out, row


def _subject_out(subject: Any) -> SubjectOut:
    return SubjectOut(
        code=subjects.url_code(subject), name=subject.name, kind=subject.kind,
        kind_label=KIND_LABELS.get(subject.kind, subject.kind), uscc=subject.uscc,
        id_number=mask_resident_id(subject.id_number) if subject.id_number else None,
        region_name=region_name(subject.region_code) if subject.region_code else None,
    )  # fmt: skip


def _hit(e: Entry, *, objection_open: bool) -> ListHit:
    t = e.list_type
    return ListHit(
        record_id=e.record_id, list_type=t.code, list_name=t.name, list_kind=t.kind.value, list_kind_label=t.kind_label,
        authority=e.authority, authority_uscc=e.authority_uscc, authority_recognised=e.authority_recognised,
        decision_number=e.decision_number, basis=e.basis, reason=e.reason, start_date=e.start_date,
        end_date=e.end_date, end_by_default=e.end_by_default, objection_open=objection_open,
    )  # fmt: skip


def _measures(
    catalog: SanctionsCatalog, entries: list[Entry], scenario: Scenario
) -> tuple[list[MeasureOut], list[WithheldMeasure]]:
    """The measures of the subject's lists for this scenario; incentives are withheld while the
    subject is on a black list that excludes them (国发〔2016〕33号)."""
    because: dict[str, list[str]] = {}
    for e in entries:
        for m in catalog.measures_for(e.list_type.code, scenario.code):
            if e.list_type.code not in because.setdefault(m.code, []):
                because[m.code].append(e.list_type.code)
    blocking = [e.list_type.name for e in entries if e.list_type.withholds_incentives]
    measures, withheld = [], []
    for code, list_types in because.items():
        m = catalog.measures[code]
        if m.kind.value == "incentive" and blocking:
            why = f"主体在{'、'.join(dict.fromkeys(blocking))}中，依规不适用守信激励措施"
            withheld.append(WithheldMeasure(code=m.code, name=m.name, why=why))
            continue
        measures.append(
            MeasureOut(code=m.code, name=m.name, kind=m.kind.value, kind_label=m.kind_label, content=m.content,
                       legal_basis=m.legal_basis, departments=m.departments, because_of=list_types)
        )  # fmt: skip
    return measures, withheld


def canonical_json(document: dict[str, Any], *, floats: bool = True) -> str:
    """An answer as hashed: JSON with sorted keys, no insignificant spaces, UTF-8 characters as they are.

    The standard library's text is the definition. orjson writes the same bytes, faster, for a document
    without floats (its float text differs: `1e-05`); an answer holds floats only in the candidates
    of a check by name (their scores), so `floats=False` — no candidates — lets orjson write it
    (tests/sanctions/test_check_costs.py holds both to the same bytes)."""
    if not floats:
        try:
            return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()
        except TypeError:  # a lone surrogate, an integer beyond 64 bits: the standard library's answer
            pass
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sign(check_id: str, checked_at: str, data_version: str, answer_sha256: str) -> str:
    """The platform's HMAC over a receipt: only a holder of the secret key can issue one."""
    key = get_settings().secret_key.encode()
    message = f"panshi-check-receipt|{check_id}|{checked_at}|{data_version}|{answer_sha256}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
