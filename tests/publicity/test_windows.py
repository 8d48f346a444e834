"""Publicity windows worked out by hand from the shipped rules (Order No. 58 from 2023-05-01 with
Jilin's thresholds on a Jilin node; the 2019 rule before), and properties every window keeps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import make_resident_id
from panshi.core.timeutil import add_months
from publicity.helpers import COUNTY, ELSEWHERE, MARKET, SAFETY, penalty, window_of, windows_of

JILIN, ORDER58, RULE2019 = "220000-2023.1", "national-2023.1", "national-2019.1"
NOT_PUBLISHED = (None, None, None)


def test_order58_general_penalty_three_months_to_three_years() -> None:
    # a period in months ends on the corresponding day (民法典 第二百零二条)
    assert window_of(penalty(date(2024, 1, 15))) == (
        date(2024, 1, 15),
        date(2024, 4, 15),
        date(2027, 1, 15),
        JILIN,
    )
    # no corresponding day: the month's last
    assert window_of(penalty(date(2023, 11, 30)))[1] == date(2024, 2, 29)


def test_safety_fire_and_special_equipment_fields_one_year_minimum() -> None:
    by_authority = penalty(date(2024, 1, 31), authority=SAFETY, fine="3")
    assert window_of(by_authority) == (date(2024, 1, 31), date(2025, 1, 31), date(2027, 1, 31), JILIN)
    by_basis = penalty(date(2024, 3, 1), legal_basis="《中华人民共和国特种设备安全法》第八十四条")
    assert window_of(by_basis)[1] == date(2025, 3, 1)
    fire = penalty(date(2024, 3, 1), authority="磐石市消防救援大队")
    assert window_of(fire)[1] == date(2025, 3, 1)
    assert window_of(penalty(date(2024, 3, 1)))[1] == date(2024, 6, 1)  # the same penalty, no such field


def test_several_penalty_types_take_the_longest() -> None:
    # 2019 rule: 吊销许可证件 is 严重 (6 months to 3 years), 警告 alone 一般 (3 months to 1 year)
    assert window_of(penalty(date(2022, 1, 15), "警告;吊销许可证件", None)) == (
        date(2022, 1, 15), date(2022, 7, 15), date(2025, 1, 15), RULE2019)  # fmt: skip
    assert window_of(penalty(date(2022, 3, 31), "警告", None)) == (
        date(2022, 3, 31), date(2022, 6, 30), date(2023, 3, 31), RULE2019)  # fmt: skip
    # a large fine makes it 严重 too (10 万元 for an organisation, 1 万元 for a person)
    assert window_of(penalty(date(2022, 3, 1), "罚款", "10"))[1] == date(2022, 9, 1)
    assert window_of(penalty(date(2022, 3, 1), "罚款", "9.99"))[1] == date(2022, 6, 1)
    # Order 58: a safety-field decision with 警告 and 罚款 and 吊销: the one-year minimum
    assert window_of(penalty(date(2024, 5, 6), "警告;罚款;吊销许可证件", "2", authority=SAFETY))[1] == date(
        2025, 5, 6
    )


def test_only_warnings_and_low_fines_are_not_published() -> None:
    day = date(2024, 6, 3)
    assert window_of(penalty(day, "警告", None)) == (*NOT_PUBLISHED, JILIN)
    assert window_of(penalty(day, "通报批评", None)) == (*NOT_PUBLISHED, JILIN)
    # Jilin's market-regulation threshold (example value): 0.3 万元 for an organisation, at or below
    assert window_of(penalty(day, "警告;罚款", "0.3")) == (*NOT_PUBLISHED, JILIN)
    assert window_of(penalty(day, "警告;罚款", "0.31"))[0] == day
    # the national threshold of the sector is 0.5 万元: the same fine outside Jilin is not published
    assert window_of(penalty(day, "警告;罚款", "0.31"), node=ELSEWHERE) == (*NOT_PUBLISHED, ORDER58)
    # a person's threshold is lower (0.1 万元)
    person = {"category": "自然人", "id_number": make_resident_id(7)}
    assert window_of(penalty(day, "罚款", "0.1", **person))[0] is None  # type: ignore[arg-type]
    assert window_of(penalty(day, "罚款", "0.2", **person))[0] == day  # type: ignore[arg-type]
    # an unknown amount, or another penalty type with the warning: published
    assert window_of(penalty(day, "罚款", None))[0] == day
    assert window_of(penalty(day, "警告;没收违法所得", None))[0] == day


def test_a_minors_record_is_never_public_but_names_its_rule() -> None:
    minor = penalty(
        date(2026, 1, 10), "罚款", "2", category="自然人", id_number=make_resident_id(3, birth="20100301")
    )
    assert window_of(minor) == (*NOT_PUBLISHED, JILIN)
    adult = penalty(
        date(2028 - 10, 3, 1), "罚款", "2", category="自然人", id_number=make_resident_id(3, birth="20000301")
    )
    assert window_of(adult)[0] == date(2018, 3, 1)  # 18 on the decision date


@pytest.mark.parametrize(
    ("stated", "end"),
    [
        (date(2024, 2, 1), date(2024, 4, 15)),  # before the minimum end: the minimum end
        (date(2025, 6, 30), date(2025, 6, 30)),  # inside: kept
        (date(2030, 1, 1), date(2027, 1, 15)),  # after the maximum: the maximum
        (None, date(2027, 1, 15)),  # none stated: the maximum
    ],
)
def test_a_stated_end_is_kept_but_clamped_into_the_bounds(stated: date | None, end: date) -> None:
    assert window_of(penalty(date(2024, 1, 15), stated=stated))[2] == end


def test_decisions_on_either_side_of_2023_05_01() -> None:
    before, after = date(2023, 4, 30), date(2023, 5, 1)
    assert window_of(penalty(before)) == (before, date(2023, 7, 30), date(2024, 4, 30), RULE2019)
    assert window_of(penalty(after)) == (after, date(2023, 8, 1), date(2026, 5, 1), JILIN)
    assert window_of(penalty(before, "警告", None))[0] == before  # 2019: every penalty published
    assert window_of(penalty(after, "警告", None))[0] is None


def test_licenses_are_public_from_the_decision_with_no_end() -> None:
    row = {
        "decision_date": date(2025, 3, 3),
        "subject_category": "法人及非法人组织",
        "valid_to": date(2030, 1, 1),
    }
    [w] = windows_of([row], record_type="admin_license")
    assert (w["publicity_start"], w["publicity_end"], w["publicity_minimum_end"]) == (
        date(2025, 3, 3),
        None,
        None,
    )
    assert w["publicity_rule"] == JILIN


CATEGORIES = ["警告", "通报批评", "罚款", "没收违法所得", "吊销许可证件", "责令停产停业", "行政拘留", "其他"]


@st.composite
def penalties(draw: st.DrawFn) -> dict[str, object]:
    decided = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31)))
    kinds = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=4, unique=True))
    fine = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=200, places=2).map(str)))
    stated = draw(
        st.one_of(
            st.none(), st.integers(min_value=-400, max_value=2000).map(lambda d: decided + timedelta(days=d))
        )
    )
    authority = draw(
        st.sampled_from([MARKET, SAFETY, "磐石市税务局", "磐石市消防救援大队", "磐石市交通运输局"])
    )
    return penalty(decided, ";".join(kinds), fine, authority=authority, stated=stated)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(penalties(), min_size=1, max_size=30), node=st.sampled_from([COUNTY, ELSEWHERE]))
def test_every_window_keeps_the_bounds(rows: list[dict[str, object]], node: str) -> None:
    for row, w in zip(rows, windows_of(rows, node=node), strict=True):
        decided = row["decision_date"]
        assert isinstance(decided, date)
        assert w["publicity_rule"] == (
            RULE2019 if decided < date(2023, 5, 1) else (JILIN if node == COUNTY else ORDER58)
        )
        if w["publicity_start"] is None:  # not published: Order 58's mild penalties only
            assert decided >= date(2023, 5, 1)
            assert set(str(row["penalty_categories"]).split(";")) <= {"警告", "通报批评", "罚款"}
            assert w["publicity_end"] is None and w["publicity_minimum_end"] is None
            continue
        # a published penalty's window contains its decision date, and keeps the rule's bounds
        assert w["publicity_start"] == decided
        assert decided < add_months(decided, 3) <= w["publicity_minimum_end"] <= w["publicity_end"]
        assert w["publicity_end"] <= add_months(decided, 36)
