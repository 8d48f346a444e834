from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from panshi.demo.generator import (
    INDIVIDUAL_BUSINESS,
    LEGAL_ENTITY,
    NATURAL_PERSON,
    Subject,
    generate_subjects,
)
from panshi.identifiers import (
    birth_date_of_resident_id,
    check_org_code,
    check_reg_no,
    check_resident_id,
    check_uscc,
)


@pytest.fixture(scope="module")
def subjects() -> list[Subject]:
    return list(generate_subjects(3000, seed=11))


def test_same_seed_same_subjects() -> None:
    assert list(generate_subjects(300, seed=5)) == list(generate_subjects(300, seed=5))
    assert list(generate_subjects(300, seed=5)) != list(generate_subjects(300, seed=6))


def test_population_mix(subjects: list[Subject]) -> None:
    kinds = Counter(subject.kind for subject in subjects)
    assert 0.70 <= kinds[LEGAL_ENTITY] / len(subjects) <= 0.80  # enterprises and other bodies
    assert 0.17 <= kinds[INDIVIDUAL_BUSINESS] / len(subjects) <= 0.23
    assert 0.035 <= kinds[NATURAL_PERSON] / len(subjects) <= 0.075
    prefixes = Counter(subject.uscc[:2] for subject in subjects if subject.uscc)
    assert 0.66 <= prefixes["91"] / len(subjects) <= 0.74
    assert prefixes["92"] == kinds[INDIVIDUAL_BUSINESS]
    assert {"93", "51", "52", "12"} <= set(prefixes)


def test_every_uscc_is_valid_with_a_valid_embedded_org_code(subjects: list[Subject]) -> None:
    usccs = [subject.uscc for subject in subjects if subject.uscc]
    assert len(set(usccs)) == len(usccs)
    for uscc in usccs:
        check = check_uscc(uscc)
        assert check.valid and check.warnings == (), (uscc, check.errors, check.warnings)
        assert uscc[2:8] == "220284"


def test_old_codes_are_valid_and_consistent(subjects: list[Subject]) -> None:
    with_org_code = [subject for subject in subjects if subject.org_code]
    with_reg_no = [subject for subject in subjects if subject.reg_no]
    assert len(with_org_code) > 100 and len(with_reg_no) > 100
    for subject in with_org_code:
        assert subject.uscc is not None and subject.org_code == subject.uscc[8:17]
        assert "-" not in subject.org_code
        assert check_org_code(subject.org_code).valid
    for subject in with_reg_no:
        check = check_reg_no(subject.reg_no or "")
        assert check.valid and check.warnings == (), (subject.reg_no, check.warnings)
        assert subject.reg_no is not None and subject.reg_no.startswith("220284")
    for subject in subjects:
        if subject.tax_no:
            assert subject.tax_no == "220284" + (subject.org_code or "")
    assert len({subject.reg_no for subject in with_reg_no}) == len(with_reg_no)


def test_people_have_valid_resident_ids(subjects: list[Subject]) -> None:
    people = [subject for subject in subjects if subject.kind == NATURAL_PERSON]
    assert all(subject.uscc is None and subject.legal_rep is None for subject in people)
    regions = Counter((subject.id_number or "")[:6] for subject in people)
    assert regions.most_common(1)[0][0] == "220284" and len(regions) > 1
    reference = date(2025, 6, 30)  # within the decision periods the tests use
    ages = []
    for subject in people:
        assert check_resident_id(subject.id_number or "").valid, subject.id_number
        birth = birth_date_of_resident_id(subject.id_number or "")
        assert birth is not None
        ages.append((reference - birth).days // 365)
    assert any(age < 18 for age in ages), "a couple of minors, for the minor-protection rule"
    assert sum(age < 18 for age in ages) <= len(ages) * 0.05


def test_organisations_have_legal_representatives(subjects: list[Subject]) -> None:
    for subject in subjects:
        if subject.kind != NATURAL_PERSON:
            assert subject.legal_rep and 2 <= len(subject.legal_rep) <= 3
            assert check_resident_id(subject.legal_rep_id or "").valid


def test_names_are_realistic_and_mostly_unique(subjects: list[Subject]) -> None:
    organisations = [subject.name for subject in subjects if subject.kind != NATURAL_PERSON]
    assert len(set(organisations)) == len(organisations)
    for subject in subjects:
        if subject.kind == INDIVIDUAL_BUSINESS:
            assert subject.name.startswith("磐石市")
        elif subject.uscc and subject.uscc.startswith("91"):
            assert "磐石" in subject.name or subject.name.startswith("吉林")
            assert "公司" in subject.name or subject.name.endswith("厂")
        elif subject.uscc and subject.uscc.startswith("93"):
            assert subject.name.endswith("专业合作社")
    for name in organisations:
        name.encode("gbk")
