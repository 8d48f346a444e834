"""The 磐石市 source departments of the demo, with valid 机关 USCCs (11 + 220284 + org code)."""

from __future__ import annotations

from typing import Final

from panshi.demo import license_types, violation_types
from panshi.demo.catalogue import SAFETY_PUBLICITY, Department
from panshi.demo.words import REGION
from panshi.identifiers import org_code_check_char, uscc_check_char

GOVERNMENT_AGENCY: Final = "11"  # registration authority 1 机构编制, category 1 机关


def agency_uscc(org_code_body: str) -> str:
    """USCC of a 磐石市 机关 from the first 8 characters of its organization code."""
    first17 = GOVERNMENT_AGENCY + REGION + org_code_body + org_code_check_char(org_code_body)
    return first17 + uscc_check_char(first17)


DEPARTMENTS: Final[list[Department]] = [
    Department(
        name="磐石市市场监督管理局",
        uscc=agency_uscc("01372815"),
        sector="market",
        penalty_number="磐市监处罚〔{year}〕{seq}号",
        simple_penalty_number="磐市监简罚〔{year}〕{seq}号",
        violations=violation_types.MARKET,
        licenses=license_types.MARKET,
        penalty_weight=25,
        license_weight=30,
    ),
    Department(
        name="国家税务总局磐石市税务局",
        uscc=agency_uscc("01376402"),
        sector="tax",
        penalty_number="磐税罚〔{year}〕{seq}号",
        simple_penalty_number="磐税简罚〔{year}〕{seq}号",
        violations=violation_types.TAX,
        licenses=license_types.TAX,
        penalty_weight=24,
        license_weight=4,
    ),
    Department(
        name="吉林市生态环境局磐石分局",
        uscc=agency_uscc("01368837"),
        sector="environment",
        penalty_number="吉市环磐罚字〔{year}〕{seq}号",
        violations=violation_types.ENVIRONMENT,
        licenses=license_types.ENVIRONMENT,
        penalty_weight=4,
        license_weight=3,
    ),
    Department(
        name="磐石市应急管理局",
        uscc=agency_uscc("MB159342"),
        sector="safety",
        penalty_number="（磐）应急罚〔{year}〕{seq}号",
        violations=violation_types.SAFETY,
        licenses=license_types.SAFETY,
        penalty_weight=5,
        license_weight=3,
        publicity_days=SAFETY_PUBLICITY,
    ),
    Department(
        name="磐石市住房和城乡建设局",
        uscc=agency_uscc("01370943"),
        sector="housing",
        penalty_number="磐住建罚字〔{year}〕{seq}号",
        violations=violation_types.HOUSING,
        licenses=license_types.HOUSING,
        penalty_weight=4,
        license_weight=6,
    ),
    Department(
        name="磐石市交通运输局",
        uscc=agency_uscc("01371268"),
        sector="transport",
        penalty_number="磐交罚〔{year}〕{seq}号",
        simple_penalty_number="磐交简罚〔{year}〕{seq}号",
        violations=violation_types.TRANSPORT,
        licenses=license_types.TRANSPORT,
        penalty_weight=10,
        license_weight=10,
    ),
    Department(
        name="磐石市卫生健康局",
        uscc=agency_uscc("01369551"),
        sector="health",
        penalty_number="磐卫罚〔{year}〕{seq}号",
        violations=violation_types.HEALTH,
        licenses=license_types.HEALTH,
        penalty_weight=5,
        license_weight=7,
    ),
    Department(
        name="磐石市消防救援大队",
        uscc=agency_uscc("MB1C8061"),
        sector="fire",
        penalty_number="磐消行罚决字〔{year}〕{seq:04d}号",
        violations=violation_types.FIRE,
        licenses=license_types.FIRE,
        penalty_weight=6,
        license_weight=3,
        publicity_days=SAFETY_PUBLICITY,
    ),
    Department(
        name="磐石市自然资源局",
        uscc=agency_uscc("MB159167"),
        sector="land",
        penalty_number="磐自然资罚〔{year}〕{seq}号",
        violations=violation_types.LAND,
        licenses=license_types.LAND,
        penalty_weight=5,
        license_weight=5,
    ),
    Department(
        name="磐石市农业农村局",
        uscc=agency_uscc("01367309"),
        sector="agriculture",
        penalty_number="磐农罚〔{year}〕{seq}号",
        violations=violation_types.AGRICULTURE,
        licenses=license_types.AGRICULTURE,
        penalty_weight=4,
        license_weight=5,
    ),
    Department(
        name="磐石市人力资源和社会保障局",
        uscc=agency_uscc("01365782"),
        sector="labour",
        penalty_number="磐人社监罚〔{year}〕{seq}号",
        violations=violation_types.LABOUR,
        licenses=license_types.LABOUR,
        penalty_weight=4,
        license_weight=2,
    ),
    Department(
        name="磐石市文化广播电视和旅游局",
        uscc=agency_uscc("MB159411"),
        sector="culture",
        penalty_number="磐文旅罚〔{year}〕{seq}号",
        violations=violation_types.CULTURE,
        licenses=license_types.CULTURE,
        penalty_weight=4,
        license_weight=3,
    ),
]
