"""Plain records that mappers produce and the emitter turns into triples.

Mappers know nothing about RDF; the emitter knows nothing about layouts.
Amounts are exact yen (``Decimal``); absent values are ``None``; every record
that comes from a row keeps its 1-based source line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .normalize import CorporateNumber, Ministry, PartialDate, ProjectNumber


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in an input, with where it is."""

    path: str
    line: int | None
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class Document:
    """One decoded input file, split into lines (line 1 is ``lines[0]``)."""

    path: Path
    text: str
    sha256: str
    encoding: str
    layout: str = ""
    #: a zip member's path is ``folder/file.zip!member.csv``: messages name both
    media_type: str = "text/plain"

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class LegalBasis:
    law: str  # 総務省設置法
    article: str | None = None  # "4"
    paragraph: str | None = None  # "1"
    item: str | None = None  # "70"
    text: str | None = None  # 第4条第1項第70号

    @property
    def provision(self) -> str:
        parts = []
        if self.article:
            parts.append(f"第{self.article}条")
        if self.paragraph:
            parts.append(f"第{self.paragraph}項")
        if self.item:
            parts.append(f"第{self.item}号")
        return "".join(parts)


@dataclass
class Plan:
    name: str
    date: PartialDate | None = None
    body: str | None = None  # 閣議, 経済財政諮問会議, ...


@dataclass
class BudgetYear:
    """One column of the 予算額・執行額 table, in yen."""

    fiscal_year: int
    request: bool = False  # 概算要求 (要求) column
    initial: Decimal | None = None
    supplementary: Decimal | None = None
    carried_in: Decimal | None = None
    carried_out: Decimal | None = None
    reserve: Decimal | None = None
    total: Decimal | None = None
    executed: Decimal | None = None
    execution_rate: Decimal | None = None  # percent
    execution_rate_initial_supplementary: Decimal | None = None  # percent
    supplementary_derived: bool = False  # 補正予算 computed from 計 (values lost in PDF text)
    line: int | None = None


@dataclass
class BudgetLine:
    """A line of the next-year budget breakdown (歳出予算目)."""

    fiscal_year: int
    item: str
    amount: Decimal | None
    request: bool = False
    line: int | None = None


@dataclass
class IndicatorValue:
    kind: str  # actual | target | planned | achievement
    fiscal_year: int | None
    label: str  # header text of the column (目標最終年度, 中間目標 ...)
    value: Decimal | None
    text: str | None = None


@dataclass
class Indicator:
    kind: str  # activity | outcome | unit-cost | kpi | measurement (事前分析表 測定指標)
    name: str
    unit: str | None = None
    goal: str | None = None
    values: list[IndicatorValue] = field(default_factory=list)
    line: int | None = None
    number: int | None = None  # ①, ② … of a 測定指標


@dataclass
class Check:
    """点検・改善: one item with its evaluation (○, ‐, 有, 無) and explanation."""

    category: str | None
    item: str
    evaluation: str | None
    explanation: str | None
    line: int | None = None


@dataclass
class ExpenseItem:
    """費目・使途 of the largest recipient of a block."""

    category: str  # 費目
    use: str | None  # 使途
    amount: Decimal | None
    line: int | None = None


@dataclass
class Block:
    """A block (A, B, ...) of the fund flow (資金の流れ)."""

    letter: str
    name: str | None = None  # name written on the block (a role or the largest recipient)
    amount: Decimal | None = None  # amount shown on the block in the flow chart
    role: str | None = None  # 委託, 請負, 補助 ...
    contract_method: str | None = None
    items: list[ExpenseItem] = field(default_factory=list)
    items_total: Decimal | None = None  # 計 of 費目・使途
    line: int | None = None


@dataclass
class Expenditure:
    """A 支出先上位10者リスト row."""

    block: str
    rank: int
    recipient: str
    corporate_number: CorporateNumber | None
    summary: str | None
    amount: Decimal | None
    contract_method: str | None
    bidders: int | None
    award_rate: Decimal | None
    reason: str | None
    line: int
    corporate_number_text: str | None = None  # as written, when it is not a 13-digit number


@dataclass
class ReviewSheet:
    """Everything a 行政事業レビューシート carries."""

    number: ProjectNumber
    name: str
    ministry: Ministry
    sheet_year: int
    sheet_kind: str | None = None  # 第2次補正予算 ...
    bureau: str | None = None
    division: str | None = None
    official: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    end_year_undecided: bool = False
    account: str | None = None  # 会計区分
    legal_bases: list[LegalBasis] = field(default_factory=list)
    legal_basis_text: str | None = None
    plans: list[Plan] = field(default_factory=list)
    plans_text: str | None = None
    major_policy: str | None = None  # 主要政策・施策
    major_expense: str | None = None  # 主要経費
    policy: str | None = None
    measure: str | None = None
    policy_url: str | None = None
    purpose: str | None = None
    current_issues: str | None = None
    overview: str | None = None
    methods: list[str] = field(default_factory=list)
    subsidy_rate: str | None = None
    budgets: list[BudgetYear] = field(default_factory=list)
    budget_lines: list[BudgetLine] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    expert_opinion: str | None = None
    past_numbers: list[tuple[int, ProjectNumber]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    expenditures: list[Expenditure] = field(default_factory=list)
    line: int | None = None


@dataclass
class Means:
    """達成手段 of a 施策 in a 事前分析表."""

    name: str
    start_year: int | None
    budgets: list[BudgetYear] = field(default_factory=list)
    part_of_larger: bool = False  # figures given as 「…の内数」 (part of a larger budget)
    note: str | None = None
    line: int | None = None


@dataclass
class Goal:
    number: int
    text: str | None = None
    rationale: str | None = None
    review_numbers: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    line: int | None = None


@dataclass
class PreAnalysis:
    """A 事前分析表 (policy pre-analysis table) for one 施策."""

    code: str
    name: str
    ministry: Ministry
    year: int
    bureau: str | None = None
    official: str | None = None
    overview: str | None = None
    plans_text: str | None = None
    budgets: list[BudgetYear] = field(default_factory=list)  # 施策の予算額・執行額
    goals: list[Goal] = field(default_factory=list)
    means: list[Means] = field(default_factory=list)  # 達成手段 (not tied to goals: the PDF text scrambles them)
    line: int | None = None


Record = ReviewSheet | PreAnalysis
