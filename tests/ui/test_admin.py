"""The admin screen in a browser: edit a hand-over threshold, validate, dry-run, save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from ui.helpers import sign_in

ADMIN = "admin@northwind.example"


def test_admin_edits_a_threshold_validates_dry_runs_and_saves(new_page: Any, staff: Any, screenshot_dir: Path) -> None:
    admin = staff(ADMIN)
    original = admin.get("/admin/rules")["text"]
    assert "frustration_high: 0.7 " in original
    page = new_page()
    sign_in(page, ADMIN, "/console/admin")
    expect(page.locator("body[data-ready='true']")).to_be_attached()
    rules = page.get_by_label("Rules (YAML)")
    expect(rules).to_have_value(original)
    try:
        # A mistake first: the screen names the line.
        broken = original.replace("{flag: human_requested}", "{flag: human_requestd}", 1)
        rules.fill(broken)
        page.get_by_role("button", name="Validate").click()
        line = next(n for n, text in enumerate(broken.splitlines(), 1) if "human_requestd" in text)
        expect(page.locator("[data-result='invalid']")).to_be_visible()
        expect(page.locator(".rules-errors li").first).to_contain_text(f"Line {line}")

        edited = original.replace("frustration_high: 0.7 ", "frustration_high: 0.55 ", 1)
        rules.fill(edited)
        page.get_by_role("button", name="Validate").click()
        expect(page.locator("[data-result='valid']")).to_contain_text("Valid")
        page.get_by_role("button", name="Dry run").click()
        expect(page.locator("[data-result='dry-run']")).to_contain_text("Nothing was saved")
        assert admin.get("/admin/rules")["text"] == original  # a dry run writes nothing
        page.locator("#rules").screenshot(path=str(screenshot_dir / "admin-rules.png"))

        page.get_by_role("button", name="Save rules").click()
        expect(page.locator("[data-result='saved']")).to_be_visible()
        saved = admin.get("/admin/rules")
        assert saved["workspace"] is True and "frustration_high: 0.55 " in saved["text"]
        assert page.script_errors == []
    finally:
        # The served desk is shared by the other browser tests: put the shipped thresholds back.
        assert admin.client is not None
        restored = admin.client.put(
            "/api/v1/admin/rules", json={"text": original}, headers={"X-CSRF-Token": admin.csrf}
        )
        assert restored.status_code == 200, restored.text
