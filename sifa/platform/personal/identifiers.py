"""Citizen ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015, with the
GB 11714 organisation code inside), per STATUTORY_RULES §8. Validators and demo-data generators.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sifa.platform.personal.problems import ValidationProblem, clean_text

CHINA_TZ = ZoneInfo("Asia/Shanghai")

# --- GB 11643 citizen ID number --------------------------------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # indexed by (Σ digit × weight) mod 11
# First two digits of GB/T 2260 province-level codes; 71 Taiwan, 81 Hong Kong, 82 Macao
# (83 is used on residence permits of Taiwan residents, which follow the same GB 11643 layout).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
MIN_BIRTH = date(1900, 1, 1)
_ID_SHAPE = re.compile(r"\d{17}[\dX]", re.ASCII)


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"

    @property
    def label_zh(self) -> str:
        return "男" if self is Sex.MALE else "女"


@dataclass(frozen=True)
class IdNumber:
    value: str  # canonical: 18 characters, upper-case X
    area_code: str  # 6-digit address code (where the number was first issued)
    birth_date: date
    sequence: str  # 3 digits; odd = male
    sex: Sex

    @property
    def province_code(self) -> str:
        return self.area_code[:2]

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def __str__(self) -> str:
        return self.value


def id_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def today_in_china() -> date:
    return datetime.now(CHINA_TZ).date()


def validate_id_number(raw: object, *, today: date | None = None) -> IdNumber:
    """Validate an 18-character citizen ID number; raises ValidationProblem.

    Accepts surrounding spaces, full-width characters and a lower-case x.
    """
    s = clean_text(raw).upper()
    if not s:
        raise ValidationProblem("id_number.empty", "请输入身份证号码", "enter an ID number")
    if len(s) == 15 and s.isdigit():
        raise ValidationProblem(
            "id_number.old_format",
            "15 位旧身份证号码不再使用，请输入 18 位号码",
            "15-digit ID numbers are obsolete; enter the 18-character number",
        )
    if len(s) != 18:
        raise ValidationProblem(
            "id_number.length",
            f"身份证号码应为 18 位，实为 {len(s)} 位",
            f"must be 18 characters, got {len(s)}",
        )
    if not _ID_SHAPE.fullmatch(s):
        raise ValidationProblem(
            "id_number.characters",
            "身份证号码前 17 位应为数字，末位为数字或 X",
            "the first 17 characters must be digits and the last a digit or X",
        )
    if int(s[:2]) not in PROVINCE_CODES:
        raise ValidationProblem(
            "id_number.area",
            f"地址码 {s[:6]} 不是有效的省级行政区划",
            f"address code {s[:6]} has no valid province",
        )
    try:
        birth = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValidationProblem(
            "id_number.birth_date", f"出生日期 {s[6:14]} 不存在", f"birth date {s[6:14]} does not exist"
        ) from None
    if birth < MIN_BIRTH or birth > (today or today_in_china()):
        raise ValidationProblem(
            "id_number.birth_date",
            f"出生日期 {birth.isoformat()} 不在合理范围内",
            f"birth date {birth.isoformat()} is before 1900 or in the future",
        )
    if id_check_char(s[:17]) != s[17]:
        raise ValidationProblem(
            "id_number.check_digit", "身份证号码校验码不正确", "the check character is wrong"
        )
    sex = Sex.MALE if int(s[16]) % 2 else Sex.FEMALE
    return IdNumber(value=s, area_code=s[:6], birth_date=birth, sequence=s[14:17], sex=sex)


def make_id_number(
    rng: random.Random,
    birth_date: date | None = None,
    area_code: str | None = None,
    sex: Sex | str | None = None,
) -> str:
    """A valid-looking, fictitious ID number for demo data (deterministic for a seeded `rng`)."""
    if area_code is None:
        province = rng.choice(sorted(PROVINCE_CODES - {71, 81, 82, 83}))
        area_code = f"{province}{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}"
    if not (len(area_code) == 6 and area_code.isdigit()):
        raise ValueError(f"area_code must be 6 digits, got {area_code!r}")
    if birth_date is None:
        birth_date = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 65))
    sex = Sex(sex) if sex is not None else rng.choice(list(Sex))
    sex_digit = rng.choice("13579" if sex is Sex.MALE else "02468")
    first17 = f"{area_code}{birth_date:%Y%m%d}{rng.randint(0, 99):02d}{sex_digit}"
    return first17 + id_check_char(first17)


# --- GB 32100 unified social credit code -----------------------------------------------------------
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Registration departments of GB 32100 (first character) and their category codes.
USCC_DEPARTMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}
_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}", re.ASCII)


@dataclass(frozen=True)
class Uscc:
    value: str
    department: str  # 登记管理部门 code, e.g. "3" = 司法行政
    category: str  # 机构类别 code within the department
    region: str  # 6-digit division code of the registering authority
    org_code: str  # 9-character GB 11714 organisation code (8 + check)

    @property
    def department_zh(self) -> str:
        return USCC_DEPARTMENTS[self.department][0]

    @property
    def category_zh(self) -> str | None:
        return USCC_DEPARTMENTS[self.department][1].get(self.category)

    def __str__(self) -> str:
        return self.value


def _org_char_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - 55  # GB 11714: A = 10 … Z = 35


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character: 11 − (Σ value × weight mod 11); 10 → X, 11 → 0."""
    r = 11 - sum(_org_char_value(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(raw: object) -> Uscc:
    """Validate an 18-character unified social credit code; raises ValidationProblem."""
    s = clean_text(raw).upper()
    if not s:
        raise ValidationProblem("uscc.empty", "请输入统一社会信用代码", "enter a unified social credit code")
    if len(s) != 18:
        raise ValidationProblem(
            "uscc.length",
            f"统一社会信用代码应为 18 位，实为 {len(s)} 位",
            f"must be 18 characters, got {len(s)}",
        )
    if not _USCC_SHAPE.fullmatch(s):
        raise ValidationProblem(
            "uscc.characters",
            "统一社会信用代码只能包含数字和除 I、O、Z、S、V 以外的大写字母",
            "only digits and capital letters other than I, O, Z, S, V are allowed",
        )
    department, category = s[0], s[1]
    if department not in USCC_DEPARTMENTS:
        raise ValidationProblem(
            "uscc.department",
            f"登记管理部门代码 {department} 无效",
            f"registration department {department} is unknown",
        )
    if category not in USCC_DEPARTMENTS[department][1]:
        raise ValidationProblem(
            "uscc.category", f"机构类别代码 {category} 无效", f"organisation category {category} is unknown"
        )
    if not s[2:8].isdigit():
        raise ValidationProblem(
            "uscc.region", "登记管理机关行政区划码应为 6 位数字", "region code must be 6 digits"
        )
    if org_code_check_char(s[8:16]) != s[16]:
        raise ValidationProblem(
            "uscc.org_code",
            "组织机构代码（第 9–17 位）校验码不正确",
            "the organisation code (characters 9–17) is wrong",
        )
    if uscc_check_char(s[:17]) != s[17]:
        raise ValidationProblem(
            "uscc.check_digit", "统一社会信用代码校验码不正确", "the check character is wrong"
        )
    return Uscc(value=s, department=department, category=category, region=s[2:8], org_code=s[8:17])


def make_uscc(rng: random.Random, department: str = "9", category: str = "1", region: str = "360100") -> str:
    """A valid-looking, fictitious USCC for demo data (default: an enterprise in 南昌)."""
    if category not in USCC_DEPARTMENTS.get(department, ("", {}))[1]:
        raise ValueError(f"unknown department/category {department}{category}")
    # Digits only, like most organisation codes issued before 2015; the check is a digit or X,
    # both in the USCC alphabet.
    body = "".join(rng.choice("0123456789") for _ in range(8))
    check = org_code_check_char(body)
    first17 = f"{department}{category}{region}{body}{check}"
    return first17 + uscc_check_char(first17)
