from decimal import Decimal

import pytest

from kg.normalize import (
    ValueFormatError,
    clean_person,
    clean_text,
    expand_corporate_abbreviations,
    fiscal_year,
    is_missing,
    japanese_date,
    measure_code,
    parse_corporate_number,
    parse_count,
    parse_percent,
    parse_project_number,
    parse_yen,
)


def test_nfkc_and_spaces_inside_japanese_words():
    assert clean_text("NECソリューションイ ノベータ株式会社") == "NECソリューションイノベータ株式会社"
    assert clean_text("安全なデータ連携による最適化ＡＩ技術の研究開発") == "安全なデータ連携による最適化AI技術の研究開発"
    assert clean_text("（国研）情報通信研究機構") == "(国研)情報通信研究機構"
    assert clean_text("Amazon Web  Services, Inc.") == "Amazon Web Services, Inc."
    # tildes survive (neologdn would drop them by default)
    assert clean_text("計画～人・技術～") == "計画~人・技術~"
    assert clean_person("室長　武馬　慎") == "室長 武馬 慎"


@pytest.mark.parametrize(
    "text, year",
    [("令和元年度", 2019), ("令和4年度", 2022), ("令和４年度", 2022), ("R2", 2020), ("H28", 2016),
     ("平成30年度", 2018), ("R1年度", 2019), ("2022年度", 2022), ("平成22年度", 2010)],
)
def test_era_years(text, year):
    assert fiscal_year(text) == year


def test_bare_year_needs_an_era():
    assert fiscal_year("3年度 活動見込") is None
    assert fiscal_year("3年度 活動見込", default_era="令和") == 2021
    assert fiscal_year("目標最終年度 4年度", default_era="令和") == 2022


@pytest.mark.parametrize(
    "text, unit, yen",
    [("296", "百万円", Decimal(296_000_000)), ("１，０００", "百万円", Decimal(1_000_000_000)),
     ("▲ 8,518", "百万円", Decimal(-8_518_000_000)), ("1.9", "百万円", Decimal(1_900_000)),
     ("552.7", "百万円", Decimal(552_700_000)), ("30,230,300", "千円", Decimal(30_230_300_000)),
     ("50617000.0", "円", Decimal(50_617_000)), ("９９６百万円", "円", Decimal(996_000_000)),
     ("0", "百万円", Decimal(0))],
)
def test_amounts_to_exact_yen(text, unit, yen):
    value = parse_yen(text, unit)
    assert value == yen and isinstance(value, Decimal)


@pytest.mark.parametrize("text", ["-", "‐", "―", "－", "", "  "])
def test_missing_is_not_zero(text):
    assert is_missing(text)
    assert parse_yen(text) is None


def test_one_point_nine_million_is_exact():
    assert str(parse_yen("1.9")) == "1900000"


@pytest.mark.parametrize("bad", ["abc", "1,2,3x", "12百"])
def test_garbage_amount_raises(bad):
    with pytest.raises(ValueFormatError):
        parse_yen(bad)


def test_percent_and_count():
    assert parse_percent("99.7%") == Decimal("99.7")
    assert parse_percent("100％") == Decimal("100")
    assert parse_percent("-") is None
    assert parse_count("2") == 2
    assert parse_count("-") is None
    with pytest.raises(ValueFormatError):
        parse_count("1.5")


def test_corporate_number_check_digit():
    ok = parse_corporate_number("7010001008844")  # 株式会社日立製作所
    assert ok.digits == "7010001008844" and ok.valid
    bad = parse_corporate_number("8010001008844")
    assert bad.digits == "8010001008844" and not bad.valid  # kept, never fixed
    assert parse_corporate_number("-") is None
    with pytest.raises(ValueFormatError):
        parse_corporate_number("701000100884")


@pytest.mark.parametrize(
    "text, year, ministry, code, serial",
    [
        ("2022 総務 新22 0011", 2022, "総務省", "新22", "0011"),
        ("2023 - 文科 - 新24 - 0017", 2023, "文部科学省", "新24", "0017"),
        ("2021 - 総務 - 20 - 0094", 2021, "総務省", "20", "0094"),
        ("総務省 - 新02 - 0012", 2020, "総務省", "新02", "0012"),
        ("2021 総務 20 0063", 2021, "総務省", "20", "0063"),
        ("総務省 新03 0005", 2020, "総務省", "新03", "0005"),
    ],
)
def test_project_numbers(text, year, ministry, code, serial):
    pn = parse_project_number(text, default_year=2020)
    assert (pn.year, pn.ministry.name, pn.code, pn.serial) == (year, ministry, code, serial)


def test_project_number_display_and_errors():
    assert parse_project_number("2021 - 総務 - 20 - 0094").display() == "2021-総務-20-0094"
    with pytest.raises(ValueFormatError):
        parse_project_number("2021 - 不明省 - 20 - 0094")
    with pytest.raises(ValueFormatError):
        parse_project_number("garbage")


def test_dates_and_codes():
    assert japanese_date("令和元年12月20日閣議決定").isoformat() == "2019-12-20"
    assert japanese_date("令和3年3月閣議決定").isoformat() == "2021-03"
    assert measure_code("（文R2－9－1）") == "文R2-9-1"
    assert expand_corporate_abbreviations("(株)日立製作所") == "株式会社日立製作所"
    assert expand_corporate_abbreviations("日本コムシス(株)") == "日本コムシス株式会社"
