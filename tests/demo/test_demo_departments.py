from __future__ import annotations

from string import Formatter

from panshi.demo.generator import DEPARTMENTS, LICENSE_CATEGORIES, PENALTY_CATEGORIES
from panshi.identifiers import check_org_code, check_uscc


def test_about_ten_departments_with_distinct_names_and_codes() -> None:
    assert 10 <= len(DEPARTMENTS) <= 14
    assert len({department.name for department in DEPARTMENTS}) == len(DEPARTMENTS)
    assert len({department.uscc for department in DEPARTMENTS}) == len(DEPARTMENTS)
    names = {department.name for department in DEPARTMENTS}
    assert {"磐石市市场监督管理局", "国家税务总局磐石市税务局", "磐石市消防救援大队"} <= names


def test_department_usccs_are_valid_agency_codes_of_panshi() -> None:
    for department in DEPARTMENTS:
        check = check_uscc(department.uscc)
        assert check.valid, (department.name, check.errors)
        assert check.warnings == (), (department.name, check.warnings)
        assert department.uscc.startswith("11220284")
        assert check_org_code(department.uscc[8:17]).valid


def test_every_department_issues_penalties_and_licenses() -> None:
    for department in DEPARTMENTS:
        assert department.record_kinds == ("行政处罚", "行政许可")
        assert department.penalty_weight > 0 and department.license_weight > 0
        assert "{seq" in department.penalty_number and "{year}" in department.penalty_number


def test_violation_types_use_the_national_value_lists() -> None:
    for department in DEPARTMENTS:
        for violation in department.violations:
            for text, weight in violation.penalties:
                categories = text.split(";")
                assert weight > 0
                assert set(categories) <= set(PENALTY_CATEGORIES), (violation.type, text)
                assert len(categories) == len(set(categories))
                if "罚款" in categories:
                    assert violation.fine is not None and 0 < violation.fine[0] <= violation.fine[1]
                if {"暂扣许可证件", "降低资质等级", "吊销许可证件"} & set(categories):
                    assert violation.license, violation.type
            assert violation.basis.startswith("《") and "第" in violation.basis


def test_license_types_use_the_national_value_lists() -> None:
    for department in DEPARTMENTS:
        for license_type in department.licenses:
            assert license_type.category in LICENSE_CATEGORIES
            # A decision needs a number: its own or the license's, and one that counts.
            numbered = license_type.document_number or license_type.number
            assert "{seq" in numbered, license_type.document
            fields = {name for _, name, _, _ in Formatter().parse(license_type.number) if name}
            assert fields <= {"year", "yy", "seq", "ymd", "uscc", "d1", "d2", *license_type.fills}
