"""Plain records that mappers produce and the emitter turns into triples.

Mappers know nothing about RDF; the emitter knows nothing about layouts.
Amounts are exact yen (``Decimal``); absent values are ``None``; every record
that comes from a row keeps its 1-based source line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .citations import Provision
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
    #: what reading found wrong but could read past (a file cut short): (line, message)
    read_warnings: list = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class LegalBasis:
    law: str  # 総務省設置法
    article: str | None = None  # "4", "40の4"
    paragraph: str | None = None  # "1"
    item: str | None = None  # "70"
    text: str | None = None  # the provision as written: 第4条第1項第70号
    law_id: str | None = None  # e-Gov 法令ID 503AC0000000036 (RS CSV)
    law_number: str | None = None  # 令和三年法律第三十六号
    line: int | None = None
    sub_item: str | None = None  # イ, ロ, ハ … of the item
    law_revision: str | None = None  # an e-Gov revision id: {法令ID}_{施行日}_{改正法令ID}

    @property
    def provision(self) -> str:
        """``第40条の4第1項第10号イ``."""
        return Provision(self.article, self.paragraph, self.item, self.sub_item).text


@dataclass
class Plan:
    name: str
    date: PartialDate | None = None
    body: str | None = None  # 閣議, 経済財政諮問会議, ...
    url: str | None = None
    line: int | None = None


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
    next_year_request: Decimal | None = None  # 翌年度要求額 (RS CSV)
    requested: Decimal | None = None  # 要望額
    reason: str | None = None  # 主な増減理由
    note: str | None = None  # その他特記事項 / 備考
    #: an account row (RS 2-1 with 会計区分): 会計区分, 会計, 勘定
    account: tuple[str, ...] = ()
    line: int | None = None
    pointer: str | None = None  # JSON Pointer into its file (JUDGIT! JSON): /予算/2


@dataclass
class BudgetLine:
    """A line of the next-year budget breakdown (歳出予算目)."""

    fiscal_year: int
    item: str
    amount: Decimal | None
    request: bool = False
    line: int | None = None
    #: RS 2-2: 予算種別, 会計区分/会計/勘定, 所管, 組織・勘定, 項, 目 and the rest
    budget_type: str | None = None
    account: tuple[str, ...] = ()
    classification: tuple[str, ...] = ()  # 所管, 組織・勘定, 項 (目 is the item)
    next_year_request: Decimal | None = None
    note: str | None = None


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
    key: str | None = None  # RS 3-1: 種別 and 番号 (アウトカム-1), the indicator's identity in its sheet
    basis: str | None = None  # 統計・データ名（出典）
    direction: str | None = None  # 上向き / 下向き
    pointer: str | None = None  # JSON Pointer into its file (JUDGIT! JSON)


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
    """費目・使途 of the largest recipient of a block (RS 5-3: of any recipient)."""

    category: str  # 費目
    use: str | None  # 使途
    amount: Decimal | None
    line: int | None = None
    recipient: str | None = None
    corporate_number: CorporateNumber | None = None
    contract: str | None = None  # 契約概要


@dataclass
class Contract:
    """A contract of a recipient (RS 5-1 contract row), or a contract under 国庫債務負担行為等
    (RS 5-4, multi-year: then it names its own block and recipient)."""

    summary: str | None
    amount: Decimal | None
    contract_method: str | None = None
    specific_method: str | None = None  # 具体的な契約方式等
    bidders: int | None = None
    award_rate: Decimal | None = None  # percent
    reason: str | None = None
    other: str | None = None  # その他の契約
    line: int | None = None
    multi_year: bool = False
    block: str | None = None
    recipient: str | None = None
    corporate_number: CorporateNumber | None = None
    corporate_number_text: str | None = None
    location: str | None = None
    kind_code: str | None = None


@dataclass
class BlockFlow:
    """RS 5-2: a block paid by another block, or by the responsible organisation itself."""

    target: str
    source: str | None  # None: paid by the ministry's organisation (担当組織からの支出)
    note: str | None = None
    indirect_cost: str | None = None  # 国自らが支出する間接経費の項目
    indirect_amount: Decimal | None = None
    line: int | None = None


@dataclass
class Subsidy:
    """RS 1-4: 補助対象, 補助率, 補助上限等."""

    number: int
    target: str | None
    rate: str | None
    cap: str | None
    url: str | None = None
    line: int | None = None


@dataclass
class RelatedProject:
    """RS 1-5: another budget project and how it relates (統合元, 分割先, 子事業 …)."""

    number: int
    project_id: str | None
    name: str | None
    relation: str | None
    line: int | None = None


@dataclass
class IndicatorLink:
    """RS 3-2: one step of the effect path (アクティビティ → アウトプット → アウトカム)."""

    source: str  # Indicator.key
    target: str
    note: str | None = None
    line: int | None = None


@dataclass
class Block:
    """A block (A, B, ...) of the fund flow (資金の流れ)."""

    letter: str
    name: str | None = None  # name written on the block (a role or the largest recipient)
    #: the name written on a legacy sheet's block (``B.(株)日立製作所``) is its largest
    #: recipient's: that name, to be matched to a 支出先 row of the block
    largest_recipient: str | None = None
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
    location: str | None = None  # 所在地 (RS)
    kind_code: str | None = None  # 法人種別 as coded in RS 5-1 (301 …)
    is_other: bool | None = None  # その他支出先 (names listed inside an その他 total)
    contracts: list[Contract] = field(default_factory=list)
    pointer: str | None = None  # JSON Pointer into its file (JUDGIT! JSON): /支出先/3


@dataclass
class ReviewSheet:
    """Everything a 行政事業レビューシート carries.

    A legacy sheet has its 事業番号 (``number``); an RS-system sheet its 予算事業ID
    (``rs_id``, with ``sheet_year``). An RS CSV holds one part of many sheets, so the RS
    mapper yields one partial sheet per project and file; parts meet on the project IRI.
    """

    number: ProjectNumber | None
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
    # RS system (CSV) only
    rs_id: str | None = None
    ministry_text: str | None = None  # 府省庁 as written, when it is not a known ministry
    units: tuple[str, ...] = ()  # 局・庁, 部, 課, 室, 班, 係 (empty ones dropped)
    other_units: list[tuple[str, ...]] = field(default_factory=list)  # その他担当組織
    category: str | None = None  # 事業区分
    overview_url: str | None = None
    start_year_unknown: bool = False
    remarks: list[str] = field(default_factory=list)
    subsidies: list[Subsidy] = field(default_factory=list)
    related: list[RelatedProject] = field(default_factory=list)
    account_budgets: list[BudgetYear] = field(default_factory=list)
    indicator_links: list[IndicatorLink] = field(default_factory=list)
    flows: list[BlockFlow] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)  # multi-year (5-4)
    expense_items: list[tuple[str, ExpenseItem]] = field(default_factory=list)  # (block, item) from 5-3
    old_numbers: list[ProjectNumber] = field(default_factory=list)  # 旧事業番号


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
