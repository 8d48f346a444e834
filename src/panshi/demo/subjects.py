"""A seeded population of 磐石市 credit subjects with valid codes."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final

from panshi.demo import words
from panshi.demo.catalogue import INDIVIDUAL_BUSINESS, LEGAL_ENTITY, NATURAL_PERSON
from panshi.identifiers import (
    org_code_check_char,
    reg_no_check_digit,
    resident_id_check_char,
    uscc_check_char,
)

SUBJECT_CATEGORIES: Final = {
    LEGAL_ENTITY: "法人及非法人组织",
    INDIVIDUAL_BUSINESS: "个体工商户",
    NATURAL_PERSON: "自然人",
}

# Where ID numbers of 磐石市 residents were issued: mostly 磐石市 itself, some elsewhere in Jilin
# (220200 is the code of 吉林市 used before its districts had their own).
_ID_REGIONS: Final = (
    ("220284", 78),
    ("220200", 4),
    ("220211", 3),
    ("220202", 3),
    ("220204", 3),
    ("220203", 2),
    ("220221", 3),
    ("220400", 2),
    ("220100", 1),
    ("220281", 1),
)

# Population mix: (what, share in per mille).
_MIX: Final = (
    ("enterprise", 700),
    ("individual", 200),
    ("cooperative", 15),
    ("social_group", 6),
    ("private_non_enterprise", 4),
    ("institution", 20),
    ("person", 55),
)
# Characters of the codes issued with the USCC: the USCC alphabet (no I, O, S, V, Z).
_CODE_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_MINOR_EVERY: Final = 40  # one natural person in 40 is a minor
_PUBLIC_MEDICAL: Final = ("医院", "卫生院", "疾病预防控制中心", "妇幼保健")


@dataclass(frozen=True, slots=True)
class Subject:
    """A credit subject: an organisation with its codes, or a natural person with an ID number."""

    kind: str  # legal_entity | individual_business | natural_person
    name: str
    uscc: str | None
    reg_no: str | None  # 15-digit 工商注册号 of subjects registered before the USCC
    org_code: str | None  # 组织机构代码 = USCC positions 9-17, without the hyphen
    id_number: str | None  # resident ID of a natural person
    legal_rep: str | None  # 法定代表人 (经营者 of an individual business)
    legal_rep_id: str | None
    sector: str  # pairs the subject with the departments that deal with it
    tax_no: str | None = None  # old 税务登记号: region + org code
    institution_cert_no: str | None = None  # 事业单位证书号
    social_org_cert_no: str | None = None  # 社会组织登记证号

    @property
    def category(self) -> str:
        """行政相对人类别 of the national 双公示 format."""
        return SUBJECT_CATEGORIES[self.kind]


def _cumulative(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [item for item, _ in pairs], list(itertools.accumulate(weight for _, weight in pairs))


class _Population:
    """Builds subjects one at a time, keeping names and codes unique."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.org_codes: set[str] = set()
        self.reg_seq = self.rng.randrange(100_000, 900_000)
        self.cert_seq = itertools.count(1)
        self.fallback_seq = itertools.count(4)
        self.persons = 0
        self.surnames, self.surname_weights = _cumulative(words.SURNAMES)
        self.id_regions, self.id_region_weights = _cumulative(_ID_REGIONS)
        self.mix, self.mix_weights = _cumulative(_MIX)

    # --- people ---------------------------------------------------------------------------------
    def person_name(self, *, male: bool, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or rng.choices(self.surnames, cum_weights=self.surname_weights)[0]
        given = words.MALE_GIVEN if male else words.FEMALE_GIVEN
        length = 1 if rng.random() < 0.3 else 2
        return surname + "".join(rng.choice(given) for _ in range(length))

    def resident_id(self, *, male: bool, born_from: date, born_to: date) -> str:
        rng = self.rng
        region = rng.choices(self.id_regions, cum_weights=self.id_region_weights)[0]
        birth = date.fromordinal(rng.randint(born_from.toordinal(), born_to.toordinal()))
        # The sequence is odd for men and even for women.
        sequence = rng.randrange(1, 500) * 2 - (1 if male else 0)
        body = f"{region}{birth:%Y%m%d}{sequence:03d}"
        return body + resident_id_check_char(body)

    def adult(self, *, surname: str | None = None) -> tuple[str, str]:
        male = self.rng.random() < 0.6
        name = self.person_name(male=male, surname=surname)
        return name, self.resident_id(male=male, born_from=date(1955, 1, 1), born_to=date(1998, 12, 31))

    # --- codes ----------------------------------------------------------------------------------
    def org_code(self, style: str) -> str:
        rng = self.rng
        while True:
            if style == "MA" or style == "MJ":  # codes issued with the USCC since 2015
                body = (
                    style
                    + rng.choice(("0Y", "13", "14", "15", "17", "0X"))
                    + "".join(rng.choice(_CODE_CHARS) for _ in range(4))
                )
            else:  # the old numeric codes: style is the leading digit
                body = rng.choice(style) + f"{rng.randrange(10**7):07d}"
            code = body + org_code_check_char(body)
            if code not in self.org_codes:
                self.org_codes.add(code)
                return code

    def reg_no(self, first_digit: str = "0") -> str:
        self.reg_seq += self.rng.randrange(1, 40)
        body = f"{words.REGION}{first_digit}{self.reg_seq % 10**7:07d}"
        return body + reg_no_check_digit(body)

    @staticmethod
    def uscc(prefix: str, org_code: str) -> str:
        first17 = prefix + words.REGION + org_code
        return first17 + uscc_check_char(first17)

    # --- names ----------------------------------------------------------------------------------
    def unique(self, build: Callable[[], str], fallback: Callable[[int], str]) -> str:
        for _ in range(30):
            name = build()
            if name not in self.names:
                break
        else:
            name = fallback(next(self.fallback_seq))
            while name in self.names:
                name = fallback(next(self.fallback_seq))
        self.names.add(name)
        return name

    def trade_name(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return rng.choice(words.TRADE_WORDS)
        return "".join(rng.sample(words.TRADE_CHARS, 2))

    def enterprise_name(self, industry: str, sector: str) -> str:
        rng = self.rng
        trade = self.trade_name()
        form = rng.choices(("有限公司", "有限责任公司", "股份有限公司"), cum_weights=(76, 96, 100))[0]
        roll = rng.random()
        if roll < 0.45:
            return f"磐石市{trade}{industry}{form}"
        if roll < 0.57:
            return f"吉林省磐石市{trade}{industry}{form}"
        if roll < 0.72:
            return f"磐石{trade}{industry}{form}"
        if roll < 0.84:
            return f"吉林{trade}{industry}{form}"
        if roll < 0.90:
            return f"吉林省{trade}{industry}{form}"
        if roll < 0.93:
            return f"{trade}（磐石）{industry}{form}"
        if roll < 0.97 or sector != "manufacturing":
            return f"吉林{trade}{industry}有限公司磐石分公司"
        return f"磐石市{trade}{industry}厂"

    def shop_name(self, shop: str, operator: str) -> str:
        rng = self.rng
        town = rng.choice(words.TOWNS)
        roll = rng.random()
        if shop in words.EATERIES and roll < 0.3:
            return f"磐石市{town}{operator[0]}记{shop}"
        if shop in words.EATERIES and roll < 0.4:
            return f"磐石市老{operator[0]}家{shop}"
        if roll < 0.65:
            return f"磐石市{self.trade_name()}{shop}"
        if roll < 0.85:
            return f"磐石市{town}{self.trade_name()}{shop}"
        return f"磐石市{town}{operator}{shop}"

    # --- subjects -------------------------------------------------------------------------------
    def enterprise(self) -> Subject:
        rng = self.rng
        industry, sector = rng.choice(words.INDUSTRIES)
        name = self.unique(
            lambda: self.enterprise_name(industry, sector),
            lambda k: f"磐石市{self.trade_name()}{industry}第{k}分公司",
        )
        rep, rep_id = self.adult()
        if rng.random() < 0.55:  # registered before 2015: old numeric org code, 注册号, 税务登记号
            org_code = self.org_code("5677")
            return Subject(
                LEGAL_ENTITY,
                name,
                self.uscc("91", org_code),
                self.reg_no() if rng.random() < 0.8 else None,
                org_code,
                None,
                rep,
                rep_id,
                sector,
                tax_no=words.REGION + org_code if rng.random() < 0.5 else None,
            )
        org_code = self.org_code("MA")
        return Subject(LEGAL_ENTITY, name, self.uscc("91", org_code), None, None, None, rep, rep_id, sector)

    def individual(self) -> Subject:
        rng = self.rng
        shop, sector = rng.choice(words.SHOPS)
        operator, operator_id = self.adult()
        name = self.unique(
            lambda: self.shop_name(shop, operator),
            lambda k: f"磐石市{rng.choice(words.TOWNS)}{operator}{shop}第{k}分店",
        )
        old = rng.random() < 0.4
        org_code = self.org_code("MA")
        reg_no = self.reg_no("6") if old else None
        return Subject(
            INDIVIDUAL_BUSINESS,
            name,
            self.uscc("92", org_code),
            reg_no,
            None,
            None,
            operator,
            operator_id,
            sector,
        )

    def cooperative(self) -> Subject:
        rng = self.rng
        line = rng.choice(words.COOPERATIVE_LINES)
        name = self.unique(
            lambda: (
                f"磐石市{rng.choice(words.RURAL_TOWNS)}{self.trade_name()}{line}专业合作社"
                if rng.random() < 0.6
                else f"磐石市{self.trade_name()}{line}专业合作社"
            ),
            lambda k: (
                f"磐石市{rng.choice(words.RURAL_TOWNS)}{rng.choice(words.VILLAGES)}村第{k}{line}专业合作社"
            ),
        )
        rep, rep_id = self.adult()
        return Subject(
            LEGAL_ENTITY,
            name,
            self.uscc("93", self.org_code("MA")),
            None,
            None,
            None,
            rep,
            rep_id,
            "agriculture",
        )

    def social_group(self) -> Subject:
        rng = self.rng
        name = self.unique(
            lambda: f"磐石市{rng.choice(words.SOCIAL_GROUPS)}",
            lambda k: f"磐石市{rng.choice(words.TOWNS)}{rng.choice(words.SOCIAL_GROUPS)}第{k}分会",
        )
        rep, rep_id = self.adult()
        org_code = self.org_code("5") if rng.random() < 0.5 else self.org_code("MJ")
        cert = f"磐民社证字第{next(self.cert_seq):04d}号"
        return Subject(
            LEGAL_ENTITY,
            name,
            self.uscc("51", org_code),
            None,
            org_code if org_code[0] == "5" else None,
            None,
            rep,
            rep_id,
            "social",
            social_org_cert_no=cert,
        )

    def private_non_enterprise(self) -> Subject:
        rng = self.rng
        kind = rng.choice(words.PRIVATE_NON_ENTERPRISE)
        name = self.unique(
            lambda: f"磐石市{self.trade_name()}{kind}",
            lambda k: f"磐石市{rng.choice(words.TOWNS)}第{k}{kind}",
        )
        rep, rep_id = self.adult()
        org_code = self.org_code("MJ")
        cert = f"磐民证字第{next(self.cert_seq):04d}号"
        return Subject(
            LEGAL_ENTITY,
            name,
            self.uscc("52", org_code),
            None,
            None,
            None,
            rep,
            rep_id,
            "social",
            social_org_cert_no=cert,
        )

    def institution(self) -> Subject:
        rng = self.rng
        name = self.unique(
            lambda: (
                rng.choice(words.PUBLIC_INSTITUTIONS)
                if rng.random() < 0.3
                else f"磐石市{rng.choice(words.TOWNS)}{rng.choice(words.TOWN_INSTITUTIONS)}"
            ),
            lambda k: f"磐石市第{k}{rng.choice(('小学', '幼儿园'))}",
        )
        rep, rep_id = self.adult()
        org_code = self.org_code("4")
        sector = "public_medical" if any(word in name for word in _PUBLIC_MEDICAL) else "public"
        return Subject(
            LEGAL_ENTITY,
            name,
            self.uscc("12", org_code),
            None,
            org_code,
            None,
            rep,
            rep_id,
            sector,
            institution_cert_no=f"事证第1{words.REGION}{next(self.cert_seq):05d}号",
        )

    def person(self) -> Subject:
        rng = self.rng
        self.persons += 1
        male = rng.random() < 0.55
        name = self.person_name(male=male)
        if self.persons % _MINOR_EVERY == 7:
            id_number = self.resident_id(male=male, born_from=date(2009, 1, 1), born_to=date(2012, 12, 31))
        else:
            id_number = self.resident_id(male=male, born_from=date(1950, 1, 1), born_to=date(2000, 12, 31))
        return Subject(NATURAL_PERSON, name, None, None, None, id_number, None, None, "person")

    def next(self) -> Subject:
        what = self.rng.choices(self.mix, cum_weights=self.mix_weights)[0]
        build: Callable[[], Subject] = getattr(self, what)
        return build()


def generate_subjects(n: int, *, seed: int) -> Iterator[Subject]:
    """Yield `n` 磐石市 subjects: ~70% enterprises, ~20% 个体工商户, ~5% people, the rest other bodies."""
    population = _Population(seed)
    for _ in range(n):
        yield population.next()
