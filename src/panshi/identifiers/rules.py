"""Constants of the identifier standards, shared by the scalar and the vectorised checks.

Sources: GB 32100-2015 (统一社会信用代码), GB 11714-1997 (组织机构代码), GB 11643-1999 (居民身份证号码),
GB/T 17710 / ISO 7064 MOD 11,10 (工商注册号), GB/T 2260 (行政区划代码). See DESIGN.md §3.1.
"""

from __future__ import annotations

import string
from typing import Final

KIND_LABELS: Final[dict[str, str]] = {
    "uscc": "统一社会信用代码",
    "org_code": "组织机构代码",
    "reg_no": "工商注册号",
    "resident_id": "居民身份证号码",
    "region_code": "行政区划代码",
    "unknown": "未识别的代码",
}

# --- normalisation -----------------------------------------------------------------------------
NORMAL_FORM: Final = "NFKC"  # full-width → half-width, Ⅹ → X, ideographic space → space
# Stripped everywhere in a code: every character for which str.isspace() holds (spelt out so that
# Python's and polars' regex engines, whose \s differ, strip the same set), plus invisible
# characters that arrive in pasted and exported cells (zero-width space and joiners, word joiner,
# byte-order mark).
WHITESPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(cp) for cp in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
INVISIBLE: Final = "\u200b\u200c\u200d\u2060\ufeff"
STRIP_PATTERN: Final = "[" + "".join(f"\\u{ord(char):04x}" for char in WHITESPACE + INVISIBLE) + "]"

# --- 统一社会信用代码 (USCC, GB 32100-2015) ------------------------------------------------------
USCC_LENGTH: Final = 18
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_VALUES: Final[dict[str, int]] = {char: value for value, char in enumerate(USCC_ALPHABET)}
USCC_MODULUS: Final = len(USCC_ALPHABET)  # 31
USCC_WEIGHTS: Final[tuple[int, ...]] = tuple(3**i % USCC_MODULUS for i in range(USCC_LENGTH - 1))
USCC_EXCLUDED: Final = "IOSVZ"
USCC_AUTHORITY: Final = slice(0, 1)
USCC_CATEGORY: Final = slice(1, 2)
USCC_REGION: Final = slice(2, 8)
USCC_ORG_CODE: Final = slice(8, 17)

# Position 1: 登记管理部门; position 2: 机构类别 within that authority (GB 32100-2015 Annex A).
REGISTRATION_AUTHORITIES: Final[dict[str, str]] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
ENTITY_CATEGORIES: Final[dict[str, dict[str, str]]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}
# Every (authority + category) pair, for the vectorised lookup.
ENTITY_CATEGORY_PAIRS: Final[frozenset[str]] = frozenset(
    authority + category for authority, categories in ENTITY_CATEGORIES.items() for category in categories
)
# Codes registered by national-level authorities carry 100000 where a GB/T 2260 code would be
# (e.g. the USCCs and 注册号 of central state-owned enterprises); it is not in GB/T 2260.
NATIONAL_REGISTRATION_REGION: Final = "100000"

# --- 组织机构代码 (GB 11714-1997) ----------------------------------------------------------------
ORG_CODE_LENGTH: Final = 9
ORG_CODE_BODY_ALPHABET: Final = string.digits + string.ascii_uppercase
ORG_CODE_VALUES: Final[dict[str, int]] = {char: value for value, char in enumerate(ORG_CODE_BODY_ALPHABET)}
ORG_CODE_WEIGHTS: Final[tuple[int, ...]] = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_MODULUS: Final = 11
# c = 11 - (Σ mod 11), so c runs 1..11: 10 is written X and 11 is written 0.
ORG_CODE_CHECK_CHARS: Final[dict[int, str]] = {**{c: str(c) for c in range(1, 10)}, 10: "X", 11: "0"}
ORG_CODE_SEPARATOR: Final = "-"  # printed as XXXXXXXX-X on certificates

# --- 工商注册号 (15 digits, GB/T 17710 = ISO 7064 MOD 11,10) -------------------------------------
REG_NO_LENGTH: Final = 15
REG_NO_CHECK_ALPHABET: Final = string.digits + string.ascii_uppercase  # letters: known exceptions
REG_NO_REGION: Final = slice(0, 6)

# --- 居民身份证号码 (GB 11643-1999) ----------------------------------------------------------------
RESIDENT_ID_LENGTH: Final = 18
RESIDENT_ID_WEIGHTS: Final[tuple[int, ...]] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_MODULUS: Final = 11
RESIDENT_ID_CHECK_CHARS: Final = "10X98765432"  # indexed by Σ mod 11
RESIDENT_ID_CHECK_ALPHABET: Final = string.digits + "X"
RESIDENT_ID_REGION: Final = slice(0, 6)
RESIDENT_ID_BIRTH_DATE: Final = slice(6, 14)
EARLIEST_BIRTH_YEAR: Final = 1900

# --- 行政区划代码 (GB/T 2260) ----------------------------------------------------------------------
REGION_CODE_LENGTH: Final = 6

# Per kind: the length expected and the positions of the check character and the region code.
KIND_LENGTHS: Final[dict[str, int]] = {
    "uscc": USCC_LENGTH,
    "org_code": ORG_CODE_LENGTH,
    "reg_no": REG_NO_LENGTH,
    "resident_id": RESIDENT_ID_LENGTH,
    "region_code": REGION_CODE_LENGTH,
}
CHECK_CHAR_POSITION: Final[dict[str, int]] = {
    "uscc": USCC_LENGTH,
    "org_code": ORG_CODE_LENGTH,
    "reg_no": REG_NO_LENGTH,
    "resident_id": RESIDENT_ID_LENGTH,
}
REGION_POSITIONS: Final[dict[str, slice]] = {
    "uscc": USCC_REGION,
    "reg_no": REG_NO_REGION,
    "resident_id": RESIDENT_ID_REGION,
    "region_code": slice(0, REGION_CODE_LENGTH),
}
