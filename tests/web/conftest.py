"""What the web edition's browser tests share: Debian's Chromium, and a fresh phone-sized profile per test."""

from __future__ import annotations

import pytest

from a11y import browser as chromium


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def context(browser):
    """A fresh profile per test (nothing remembered from another test), at a phone's size."""
    made = browser.new_context(viewport=chromium.PHONE, device_scale_factor=1, locale="zh-CN")
    yield made
    made.close()


@pytest.fixture
def page(context):
    return context.new_page()
