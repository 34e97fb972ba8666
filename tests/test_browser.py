"""A person in a real browser (headless Chromium through Selenium): from the home page to a
ministry, one of its projects, and a corporation paid by it, reading what the pages show.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them,
with ``fonts-noto-cjk`` so that Japanese is drawn). Screenshots of each page are kept in
``test-output/browser/`` (or ``$KG_TEST_OUTPUT/browser/``) for a person to look at.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(os.environ.get("KG_TEST_OUTPUT", ROOT / "test-output")) / "browser"


def _need(program: str) -> str:
    found = shutil.which(program) or (f"/usr/bin/{program}" if Path(f"/usr/bin/{program}").exists() else None)
    if not found:
        message = f"{program} is not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser():
    chromium = _need("chromium")
    driver_path = _need("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1400", "--lang=ja"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def facts_text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, "dl.facts").text


def _shot(driver, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not an empty image
    return path


def test_japanese_fonts_are_installed():
    if not shutil.which("fc-list"):
        pytest.skip("fontconfig is not installed")
    fonts = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout
    if not fonts.strip():
        message = "no font with Japanese glyphs (apt-get install fonts-noto-cjk): pages would show boxes"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def test_ministry_to_project_to_corporation(browser, kg_server):
    from selenium.webdriver.common.by import By

    browser.get(kg_server)
    assert browser.title == "jp-spending-kg"
    browser.find_element(By.LINK_TEXT, "府省庁").click()  # the class index of ministries
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("府省庁")
    browser.find_element(By.LINK_TEXT, "総務省").click()

    # the ministry: its name and its projects
    assert browser.find_element(By.TAG_NAME, "h1").text == "総務省"
    assert browser.current_url.endswith("/id/ministry/soumu/")
    projects = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "section table a")]
    assert "2021-総務-20-0094" in projects
    _shot(browser, "1-ministry")
    browser.find_element(By.LINK_TEXT, "2021-総務-20-0094").click()

    # the project: ministry, budget per year, recipients
    assert browser.find_element(By.TAG_NAME, "h1").text == "自治体AI共同開発推進事業"
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "府省庁" in facts and "総務省" in facts and "2021-総務-20-0094" in facts
    headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert "予算・執行 Budget and execution (yen)" in headings and "支出先 Recipients" in headings
    assert headings.index("目的・概要・所見 What the sheet says") < headings.index("予算・執行 Budget and execution (yen)")
    assert "事業目的 Purpose" in [h.text for h in browser.find_elements(By.TAG_NAME, "h3")]
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "53,900,000" in page and "78,000,000" in page
    _shot(browser, "2-project")
    browser.find_element(By.LINK_TEXT, "NECソリューションイノベータ株式会社").click()

    # the corporation: names, 法人番号, its projects and contracts with amounts and links
    assert browser.current_url.endswith("/id/corporation/7010601022674/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "NECソリューションイノベータ株式会社"
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "7010601022674" in facts and "NECソリューションイノベータ(株)" in facts
    rows = browser.find_elements(By.CSS_SELECTOR, "section:nth-of-type(2) tbody tr")
    cells = [[td.text for td in r.find_elements(By.TAG_NAME, "td")] for r in rows]
    assert ["53,900,000" in c[-1] for c in cells].count(True) == 1
    assert any(c[:3] == ["2021", "2021-総務-20-0094", "自治体AI共同開発推進事業"] and c[-1] == "53,900,000"
               for c in cells), cells
    # one bidder at a 100 % award rate: flagged, and the row stands out
    flagged = [c for c in cells if c[-1] == "45,000,000"]
    assert flagged and flagged[0][-2] == "一者応札 ・ 落札率100%", cells
    assert rows[[c[-1] for c in cells].index("45,000,000")].get_attribute("class") == "flag"
    assert "国税庁法人番号公表サイト" in facts_text(browser)
    _shot(browser, "3-corporation")
    # and back to a project from there
    browser.find_element(By.LINK_TEXT, "サイバーセキュリティ統合知的・人材育成基盤の構築").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "サイバーセキュリティ統合知的・人材育成基盤の構築"


def test_search_from_any_page(browser, kg_server):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(kg_server + "id/ministry/soumu/")
    old_heading = browser.find_element(By.TAG_NAME, "h1")
    box = browser.find_element(By.CSS_SELECTOR, "form.search input[name=q]")
    box.send_keys("ＮＥＣソリューション")  # full-width, as a sheet may write it
    box.submit()
    # submit() returns before the next page replaces this one: wait until the
    # ministry page's heading is gone, then read the search page's.
    WebDriverWait(browser, 10).until(expected_conditions.staleness_of(old_heading))
    WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element(By.TAG_NAME, "h1").text == "検索 Search")
    _shot(browser, "4-search")
    browser.find_element(By.LINK_TEXT, "NECソリューションイノベータ株式会社").click()
    assert browser.current_url.endswith("/id/corporation/7010601022674/")


def test_search_in_the_published_site(browser, tmp_path, seed_nt):
    """The static site searches its index in the browser (no server behind it)."""
    import subprocess
    import sys

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from kg.cli import main

    from .conftest import free_port, wait_http

    site = tmp_path / "site"
    assert main(["publish", str(site), "-g", str(seed_nt), "-q"]) == 0
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        root = f"http://127.0.0.1:{port}/"
        wait_http(root, proc)
        browser.get(root)
        box = browser.find_element(By.CSS_SELECTOR, "form.search input[name=q]")
        box.send_keys("7010601022674")
        box.submit()
        link = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#results a"))
        assert link.text == "NECソリューションイノベータ株式会社"
        _shot(browser, "5-static-search")
        link.click()
        assert browser.find_element(By.TAG_NAME, "h1").text == "NECソリューションイノベータ株式会社"
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_sparql_form_answers_a_table(browser, kg_server):
    from selenium.webdriver.common.by import By

    browser.get(kg_server + "sparql")
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element(By.CSS_SELECTOR, "form.sparql button").click()
    rows = WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table tbody tr"))
    assert len(rows) == 4 and "自治体AI共同開発推進事業" in browser.find_element(By.TAG_NAME, "table").text
    _shot(browser, "6-sparql")
    rows[0].find_element(By.TAG_NAME, "a").click()
    assert browser.find_element(By.TAG_NAME, "h1").text


def test_a_query_page_sorts_and_offers_csv(browser, kg_server):
    import urllib.request

    from selenium.webdriver.common.by import By

    browser.get(kg_server + "queries/")
    browser.find_element(By.LINK_TEXT, "Top recipients (支出額の多い法人)").click()

    def first():
        return browser.find_element(By.CSS_SELECTOR, "table.sortable tbody tr td").text

    assert first() == "7012405000492"  # the largest total first
    numbers = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.sortable tbody tr td:first-child")]
    browser.find_element(By.XPATH, "//th[small='corporateNumber']").click()  # sort by 法人番号, largest first
    assert first() == max(numbers)
    _shot(browser, "7-query-page")
    link = browser.find_element(By.LINK_TEXT, "CSV (Excel, 日本語見出し)").get_attribute("href")
    with urllib.request.urlopen(link) as r:
        data = r.read()
    assert data.startswith("\ufeff法人番号,法人番号のページ,法人名".encode("utf-8"))
    row = data.decode("utf-8-sig").splitlines()[1].split(",")
    assert row[1] == kg_server + "id/corporation/" + row[0]  # the CSV leads back to the page
    browser.find_element(By.CSS_SELECTOR, "table.sortable tbody tr td a").click()  # and so does the table
    assert browser.current_url == kg_server + "id/corporation/" + max(numbers) + "/"  # the page (a folder)


def test_a_paged_class_index_and_a_fund_flow_picture(browser, seed_nt):
    """Corporations in pages of 10 (--index-page), largest first; a project page draws its
    fund flow as a picture a person can see."""
    from selenium.webdriver.common.by import By

    from .conftest import start_kg_server

    proc, url = start_kg_server(seed_nt, "--index-page", "10")
    try:
        browser.get(url + "class/kg-Corporation/")
        assert "1–10 of 37" in browser.find_element(By.TAG_NAME, "body").text
        first = browser.find_element(By.CSS_SELECTOR, "table.index tbody tr td a").text
        assert first == "国立研究開発法人情報通信研究機構"  # 552,500,000 yen: the largest
        browser.find_element(By.LINK_TEXT, "next ›").click()
        assert browser.current_url.endswith("?page=2") and "11–20 of 37" in browser.find_element(By.TAG_NAME, "body").text
        _shot(browser, "8-index-page-2")
        browser.get(url + "id/project/2022-soumu-0059/")
        figure = next(f for f in browser.find_elements(By.CSS_SELECTOR, "figure.chart") if "資金の流れ" in f.text)
        browser.execute_script("arguments[0].scrollIntoView();", figure)
        assert figure.size["height"] > 200 and figure.size["width"] > 400  # drawn, not an empty box
        assert "国立研究開発法人情報通信研究機構" in figure.text
        _shot(browser, "9-fund-flow")
    finally:
        proc.terminate()
        proc.wait(10)
