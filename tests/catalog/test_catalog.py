"""The catalog is data: validated on load, and a new record type needs no code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from factories import DEPT_USCC, ingest, make_uscc, write_csv
from panshi.catalog import service as catalog_service
from panshi.catalog.schemas import Catalog, Disclosure, header_key, strip_hint

TAX_GRADE = """
key: tax_grade
label: 纳税信用等级
code_prefix: NS
decision_date: evaluated_on
natural_key: [year, $subject]
subject:
  name: taxpayer_name
  category: taxpayer_category
  uscc: taxpayer_uscc
  categories: {法人及非法人组织: legal_entity, 个体工商户: individual_business}
department: {name: source_department, uscc: source_department_uscc}
fields:
  - {name: taxpayer_name, label: 纳税人名称, code: NS_MC, required: true}
  - {name: taxpayer_category, label: 纳税人类别, code: NS_LB, type: enum, required: true,
     values: [法人及非法人组织, 个体工商户]}
  - {name: taxpayer_uscc, label: 纳税人识别号, code: NS_SBH, type: code, code_kind: uscc, required: true}
  - {name: year, label: 评价年度, code: NS_ND, required: true}
  - {name: grade, label: 信用等级, code: NS_DJ, type: enum, required: true, values: [A, B, M, C, D]}
  - {name: evaluated_on, label: 评定日期, code: NS_RQ, type: date, required: true, not_future: true}
  - {name: source_department, label: 数据来源单位, code: NS_LY, required: true}
  - {name: source_department_uscc, label: 数据来源单位统一社会信用代码, code: NS_LYDM, type: code,
     code_kind: uscc, required: true, disclosure: government}
"""


def test_shipped_catalog_is_valid_and_complete() -> None:
    catalog = catalog_service.load_catalog()
    penalty, license_ = catalog.record_types["admin_penalty"], catalog.record_types["admin_license"]
    assert all(f.code.startswith(("CF_", "BZ")) for f in penalty.fields)
    assert all(f.code.startswith(("XK_", "BZ")) for f in license_.fields)
    assert {f.name for f in penalty.fields if f.required} >= {
        "subject_name", "subject_category", "decision_number", "violation_type", "violation_facts", "legal_basis",
        "penalty_categories", "penalty_content", "decision_date", "penalty_valid_until", "authority",
        "authority_uscc", "source_department", "source_department_uscc",
    }  # fmt: skip
    assert penalty.field("penalty_categories").multiple
    assert penalty.field("legal_rep_id_number").disclosure is Disclosure.government
    assert license_.field("license_category").values == ["普通", "特许", "认可", "核准", "登记", "其他"]


def test_header_spellings() -> None:
    assert header_key("ＣＦ＿ＷＳＨ") == header_key("cf_wsh")
    assert strip_hint("行政相对人代码_1（统一社会信用代码）") == "行政相对人代码_1"


def test_a_broken_catalog_is_refused_on_load() -> None:
    broken = yaml.safe_load(TAX_GRADE)
    broken["natural_key"] = ["no_such_field"]
    with pytest.raises(ValidationError, match="no_such_field"):
        Catalog.model_validate({"version": "9.9", "record_types": {"tax_grade": broken}})


def test_a_new_record_type_is_only_data(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = catalog_service.load_catalog()
    types = {key: t.model_dump(by_alias=True) for key, t in shipped.record_types.items()}
    extended = Catalog.model_validate(
        {"version": shipped.version, "record_types": types | {"tax_grade": yaml.safe_load(TAX_GRADE)}}
    )
    monkeypatch.setattr(catalog_service, "load_catalog", lambda version=None: extended)
    rows = [
        {"纳税人名称": "磐石市甲公司", "纳税人类别": "法人及非法人组织", "纳税人识别号": make_uscc(5001),
         "评价年度": "2025", "信用等级": "A", "评定日期": "2026-04-01", "数据来源单位": "国家税务总局磐石市税务局",
         "数据来源单位统一社会信用代码": DEPT_USCC},
        {"纳税人名称": "磐石市乙公司", "纳税人类别": "法人及非法人组织", "纳税人识别号": make_uscc(5002),
         "评价年度": "2025", "信用等级": "E", "评定日期": "2026-04-01", "数据来源单位": "国家税务总局磐石市税务局",
         "数据来源单位统一社会信用代码": DEPT_USCC},
    ]  # fmt: skip
    result = ingest(write_csv(tmp_path / "tax.csv", rows), record_type="tax_grade")
    assert (result.accepted, result.rejected) == (1, 1)
    assert (result.errors[0].field, result.errors[0].code) == ("grade", "unknown_value")
