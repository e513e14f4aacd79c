"""Security headers on every response, and templates that obey the content security policy."""

from __future__ import annotations

import re
from pathlib import Path

import marketplace

TEMPLATES = Path(marketplace.__file__).resolve().parent / "templates"


def test_page_carries_the_security_headers(client):
    response = client.get("/")

    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_error_responses_carry_the_headers_too(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_no_hsts_over_plain_http_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_when_cookies_are_secure(app_factory):
    app = app_factory(SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_templates_have_no_inline_scripts_styles_or_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source, re.IGNORECASE):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"<style\b", source, re.IGNORECASE):
            offenders.append(f"{path.name}: <style> element")
        if re.search(r"\sstyle\s*=", source, re.IGNORECASE):
            offenders.append(f"{path.name}: style attribute")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", source, re.IGNORECASE):
            offenders.append(f"{path.name}: inline event handler")
    assert offenders == []
