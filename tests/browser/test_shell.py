"""What a county clerk and a province administrator see in a real browser (issue 3, items 4 and 9).

分权分域: a county bureau's user sees only the county's orgs; the province administrator sees all.
"""

from __future__ import annotations

import pytest

from .conftest import MOBILE, log_in, shot

pytestmark = pytest.mark.browser


def _org_names(page) -> list[str]:
    return page.get_by_test_id("list-table").locator("tbody tr td:first-child").all_inner_texts()


def _open_org_list(page) -> None:
    page.get_by_test_id("sidebar").get_by_role("link", name="机构").click()
    page.wait_for_url("**/orgs/")


def test_county_user_lands_on_dashboard_with_grouped_navigation_and_sees_only_the_county(page, users):
    log_in(page, "dh_staff")
    assert page.get_by_role("heading", level=1).inner_text() == "工作台"
    nav = page.get_by_test_id("sidebar")
    groups = nav.get_by_test_id("nav-group-label").all_inner_texts()
    assert groups[0] == "大平台"  # navigation is grouped by function, the platform first
    assert nav.get_by_role("link", name="人员").is_visible()
    assert page.get_by_test_id("card").count() >= 1  # the dashboard counts what the user may see
    shot(page, "dashboard-county")

    _open_org_list(page)
    names = _org_names(page)
    shot(page, "orgs-county")
    assert "东湖区司法局" in names and "东湖区豫章司法所" in names
    assert not any("浔阳" in n or "西湖区" in n or "九江" in n for n in names)


def test_province_admin_sees_every_county_and_filters_the_list_in_place(page, users):
    from playwright.sync_api import expect

    log_in(page, "p_admin")
    _open_org_list(page)
    names = _org_names(page)
    shot(page, "orgs-province")
    assert "东湖区司法局" in names and "浔阳区司法局" in names and "江西省司法厅" in names

    filters = page.get_by_test_id("filters")
    filters.get_by_label("名称").fill("浔阳")
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/orgs/?*name=*")  # HTMX swapped the table and pushed the filter into the URL
    rows = page.get_by_test_id("list-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    assert all("浔阳" in n for n in _org_names(page))
    # export follows the filter the user is looking at
    assert "name=%E6%B5%94%E9%98%B3" in (page.get_by_test_id("export-csv").get_attribute("href") or "")

    filters.get_by_label("名称").fill("没有这个机构")
    filters.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("list-empty")).to_be_visible()
    shot(page, "orgs-empty")


def test_bad_id_number_shows_a_field_error_and_saves_nothing_then_a_valid_one_is_saved_masked(page, users):
    """GB 11643-1999: the 18th character is a check digit; a wrong one is a field error, not a save."""
    from sifa.platform.people.models import Person

    log_in(page, "dh_staff")
    page.get_by_test_id("sidebar").get_by_role("link", name="人员").click()
    page.get_by_role("link", name="登记人员").click()
    page.get_by_label("姓名").fill("张三")
    page.get_by_label("身份证号").fill("360102198506150000")
    page.get_by_role("button", name="保存").click()

    error = page.get_by_test_id("error-id_number")
    error.wait_for()
    shot(page, "person-form-error")
    assert "校验码" in error.inner_text()
    field = page.get_by_label("身份证号")
    assert field.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in (field.get_attribute("aria-describedby") or "")
    assert field.input_value() == "360102198506150000"  # what was typed is kept for correction
    assert Person.objects.count() == 0

    field.fill("11010519491231002X")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/people/*/")
    shot(page, "person-detail")
    masked = page.locator("#reveal-id_number").inner_text()
    assert "19491231" not in masked and masked.endswith("002X") and "*" in masked  # birth date hidden
    assert Person.objects.filter(name="张三").count() == 1

    # revealing the clear value asks first, then shows it and leaves a personal-data access record
    from sifa.platform.audit.models import PersonalDataAccess

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("reveal-id_number").click()
    page.get_by_test_id("revealed").wait_for()
    assert page.get_by_test_id("revealed").inner_text() == "11010519491231002X"
    assert PersonalDataAccess.objects.filter(actor=users["donghu_staff"], field="id_number").count() == 1


def test_language_switch_to_english_changes_the_navigation(page, users):
    log_in(page, "dh_staff")
    page.get_by_label("Language").select_option("en")
    page.wait_for_url("**/en/**")
    nav = page.get_by_test_id("sidebar")
    assert nav.get_by_test_id("nav-group-label").first.inner_text() == "Platform"
    assert nav.get_by_role("link", name="Organisations").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    shot(page, "dashboard-english")


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_login_and_list_pages_fit_a_phone_screen(browser, live_server, users):
    context = browser.new_context(
        viewport=MOBILE,
        locale="zh-CN",
        base_url=live_server.url,
        is_mobile=True,
        reduced_motion="reduce",  # Bootstrap then opens the offcanvas without a slide animation
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        shot(page, "mobile-login")
        assert _page_width(page) <= MOBILE["width"]
        log_in(page, "p_admin")
        page.goto("/orgs/")
        shot(page, "mobile-orgs")
        assert _page_width(page) <= MOBILE["width"]  # wide tables scroll inside their box, not the page
        assert not page.get_by_test_id("sidebar").is_visible()  # navigation folds away behind a button
        page.get_by_role("button", name="导航菜单").click()
        page.get_by_test_id("sidebar").get_by_role("link", name="人员").wait_for(state="visible")
        shot(page, "mobile-nav-open", full_page=False)
    finally:
        context.close()
