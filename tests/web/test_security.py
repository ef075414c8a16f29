"""Who may use the server: the token, the session's CSRF token, the origin, the host, body size."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from fuling_batch.web import Limits

from .conftest import BASE, PORT, TOKEN, YEAR, Desk, make_app

PAGES = [
    "/",
    f"/y/{YEAR}/files",
    f"/y/{YEAR}/run",
    f"/y/{YEAR}/results",
    "/history",
    "/static/htmx.min.js",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_request_without_the_token_gets_the_chinese_403(anonymous: TestClient, url: str):
    response = anonymous.get(url)
    assert response.status_code == 403
    assert "访问被拒绝" in response.text and "?token=" in response.text
    assert "htmx" not in response.text  # nothing of the page itself


def test_a_wrong_token_is_refused_in_the_query_and_in_the_cookie(anonymous: TestClient):
    assert anonymous.get("/?token=wrong").status_code == 403
    anonymous.cookies.set(f"fuling_token_{PORT}", "wrong")
    assert anonymous.get(f"/y/{YEAR}/files").status_code == 403


def test_a_post_without_the_token_is_refused_and_changes_nothing(anonymous: TestClient):
    response = anonymous.post(
        f"/y/{YEAR}/files/upload", files=[("files", ("a.xlsx", b"x"))], headers={"Origin": BASE}
    )
    assert response.status_code == 403
    data = anonymous.app.state.settings.data_dir  # type: ignore[attr-defined]
    assert not list((data / "input").rglob("*.xlsx"))


def test_the_token_becomes_an_httponly_strict_cookie_and_leaves_the_address_bar(
    anonymous: TestClient,
):
    response = anonymous.get(f"/y/{YEAR}/results?token={TOKEN}&grade=合格", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/y/{YEAR}/results?grade=%E5%90%88%E6%A0%BC"
    cookies = response.headers.get_list("set-cookie")
    token_cookie = next(c for c in cookies if c.startswith(f"fuling_token_{PORT}={TOKEN}"))
    assert "HttpOnly" in token_cookie and "SameSite=Strict" in token_cookie
    # From now on the cookie alone is enough.
    assert anonymous.get(f"/y/{YEAR}/files").status_code == 200


def test_a_foreign_host_header_is_refused_even_with_the_token(anonymous: TestClient):
    # What a page on another site sends after rebinding its DNS name to 127.0.0.1.
    response = anonymous.get(f"/?token={TOKEN}", headers={"Host": f"evil.example:{PORT}"})
    assert response.status_code == 403
    assert "不是本工作台的地址" in response.text
    assert anonymous.get(f"/?token={TOKEN}", headers={"Host": "127.0.0.1:9999"}).status_code == 403
    assert anonymous.get(f"/?token={TOKEN}", headers={"Host": f"localhost:{PORT}"}).status_code in (
        200,
        303,
    )


def test_a_post_without_the_csrf_token_is_refused(desk: Desk, samples):
    files = [("files", (samples[0].name, samples[0].read_bytes()))]
    altered = desk.csrf[:-1] + ("1" if desk.csrf.endswith("0") else "0")
    for headers in ({}, {"X-CSRF-Token": "0" * 64}, {"X-CSRF-Token": altered}):
        response = desk.client.post(
            f"/y/{YEAR}/files/upload", files=files, headers={"Origin": BASE, **headers}
        )
        assert response.status_code == 403
        assert "页面已过期" in response.text
    assert desk.stored() == []


def test_the_csrf_token_belongs_to_its_session(desk: Desk, tmp_path):
    # Another browser (another session cookie) cannot use this session's token.
    other = TestClient(desk.app, base_url=BASE)
    other.get(f"/?token={TOKEN}")
    response = other.post(
        f"/y/{YEAR}/files/delete",
        data={"name": "x.xlsx"},
        headers={"Origin": BASE, "X-CSRF-Token": desk.csrf},
    )
    assert response.status_code == 403


def test_a_post_from_another_origin_is_refused(desk: Desk):
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": f"http://localhost:{PORT}"},  # another origin, though the same machine
        {"Origin": "null"},
    ):
        response = desk.client.post(
            f"/y/{YEAR}/run/start", headers={"X-CSRF-Token": desk.csrf, **headers}
        )
        assert response.status_code == 403
        assert "请求来源不正确" in response.text
    # No Origin: the Referer must be this origin; without either, refused.
    bare = desk.client.post(f"/y/{YEAR}/run/start", headers={"X-CSRF-Token": desk.csrf})
    assert bare.status_code == 403
    referred = desk.client.post(
        f"/y/{YEAR}/run/start",
        headers={"X-CSRF-Token": desk.csrf, "Referer": f"{BASE}/y/{YEAR}/run"},
    )
    assert referred.status_code == 400  # past the checks: there is no sheet to run yet
    assert "还没有评分表" in referred.text


def test_only_get_and_post_are_accepted(desk: Desk):
    response = desk.client.put(
        f"/y/{YEAR}/files/upload", headers={"X-CSRF-Token": desk.csrf, "Origin": BASE}
    )
    assert response.status_code == 405
    assert "不支持该操作" in response.text


def test_every_response_carries_the_security_headers(desk: Desk):
    for url in (f"/y/{YEAR}/files", "/static/app.js", "/nowhere"):
        headers = desk.get(url).headers
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert "unsafe-eval" not in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in desk.get(f"/y/{YEAR}/files").headers["content-security-policy"]


def test_the_403_page_brings_its_own_styles_by_nonce(anonymous: TestClient):
    # The stylesheet itself needs the token, so the refusal carries its few styles inline.
    response = anonymous.get("/")
    policy = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and policy.startswith("default-src 'none'")
    assert f'<style nonce="{nonce.group(1)}">' in response.text
    assert "<script" not in response.text and "/static/" not in response.text


def test_a_declared_oversized_body_is_refused_before_it_is_read(tmp_path):
    app = make_app(tmp_path / "data", Limits(request_bytes=100_000))
    with TestClient(app, base_url=BASE) as client:
        desk = Desk(client)
        body = b"x" * 200_000
        files = [("files", ("big.zip", body))]
        response = desk.post(f"/y/{YEAR}/files/upload", files=files)
        assert response.status_code == 413
        assert "上传内容过大" in response.text and "不能超过 98 KB" in response.text
        assert response.headers["hx-retarget"] == "#flash"
        assert desk.stored() == []


def test_a_streamed_body_is_cut_off_at_the_limit(tmp_path):
    app = make_app(tmp_path / "data", Limits(request_bytes=100_000))
    with TestClient(app, base_url=BASE) as client:
        desk = Desk(client)

        def chunks():
            for _ in range(50):
                yield b"-" * 10_000

        headers = {
            "X-CSRF-Token": desk.csrf,
            "Origin": BASE,
            "Content-Type": "multipart/form-data; boundary=xyz",
        }
        response = client.post(f"/y/{YEAR}/files/upload", content=chunks(), headers=headers)
        assert response.status_code == 413
        assert "上传内容过大" in response.text


def test_the_csrf_token_is_in_every_page_for_htmx(desk: Desk):
    page = desk.get(f"/y/{YEAR}/results").text
    assert re.search(r"hx-headers='\{\"X-CSRF-Token\": \"[0-9a-f]{64}\"\}'", page)
