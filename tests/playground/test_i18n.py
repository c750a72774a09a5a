"""The playground in Korean: the catalog the page reads, the page's language, the server's
messages in the language of each page, and ``gradlab playground --lang``."""

from __future__ import annotations

import json
import re
import string
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette 1.x prefers httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from gradlab import i18n
from gradlab.cli import main
from gradlab.i18n import LOCALE_DIR, use_language
from gradlab.playground.config import DATASETS, describe_json, validate_config
from gradlab.playground.messages import parse_message
from gradlab.playground.presets import PRESETS
from gradlab.playground.server import STATIC_DIR, create_app, page_catalog

ORIGIN = "http://127.0.0.1:8000"
WS_URL = "ws://127.0.0.1:8000/ws"
PO = LOCALE_DIR / "ko" / "LC_MESSAGES" / "playground.po"


@pytest.fixture
def client():
    with TestClient(create_app(max_sessions=4, idle_timeout=60.0), base_url=ORIGIN) as c:
        yield c


def opening(ws) -> dict:
    hello, data, state = ws.receive_json(), ws.receive_json(), ws.receive_json()
    assert (hello["type"], data["type"], state["type"]) == ("hello", "data", "state")
    return hello


def ko_catalog(client: TestClient) -> dict[str, str]:
    response = client.get("/i18n/ko.json")
    assert response.status_code == 200
    return response.json()


# -- the catalog ----------------------------------------------------------------------------------
def test_catalog_endpoint_serves_the_playground_messages(client):
    response = client.get("/i18n/ko.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "max-age" in response.headers["cache-control"] and response.headers["etag"]
    messages = response.json()
    # the page's texts (texts.js, playground.js), the presets' and the data sets' labels
    assert messages["Learning rate"] == "학습률"
    assert messages["What am I looking at?"] == "무엇을 보고 있나요?"
    assert messages["connected"] == "연결됨"
    for preset in PRESETS:
        assert re.search("[가-힣]", messages[preset["title"]]), preset["name"]
        assert re.search("[가-힣]", messages[preset["description"]]), preset["name"]
    for info in DATASETS.values():
        assert info["label"] in messages
    # the very bytes page_catalog builds from the compiled domain, nothing from other domains
    assert response.content == page_catalog("ko")
    assert len(messages) >= 200
    # a second request with the ETag is answered 304 (no body)
    again = client.get("/i18n/ko.json", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_english_needs_no_catalog(client):
    response = client.get("/i18n/en.json")
    assert response.status_code == 200 and response.json() == {}


@pytest.mark.parametrize(
    "path",
    [
        "/i18n/fr.json",
        "/i18n/ko",
        "/i18n/ko.po",
        "/i18n/ko.mo",
        "/i18n/KO.json",
        "/i18n/ko_KR.json",
        "/i18n/ko.json.json",
        "/i18n/",
        "/i18n/..%2Fko.json",
        "/i18n/%2e%2e%2fstatic%2findex.html",
        "/i18n/..%2F..%2Flocale%2Fko%2FLC_MESSAGES%2Fplayground.json",
        "/i18n/ko.json/extra",
        "/i18n/../static/index.html.json",
    ],
)
def test_only_known_languages_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "msgid" not in response.text and "<html" not in response.text


def test_every_translation_keeps_its_placeholders():
    """A translation has exactly the placeholders (with their format specs) of its English
    text, so ``.format`` fills both languages from the same values."""
    from babel.messages.pofile import read_po

    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    parse = string.Formatter().parse

    def fields(text: str) -> list[tuple[str, str, str | None]]:
        return sorted((n, spec or "", conv) for _, n, spec, conv in parse(text) if n is not None)

    checked = 0
    for m in catalog:
        if not m.id or not m.string:
            continue
        assert m.id.count("<b>") == m.string.count("<b>"), m.id
        english = fields(m.id)
        if not all(name.isidentifier() for name, _, _ in english):
            continue  # '{"name": ..., hyperparameters...}' shows JSON; it is not a template
        assert english == fields(m.string), m.id
        checked += english != []
    assert checked > 70


def test_page_texts_have_their_keys():
    """Every data-i18n* key of index.html is in texts.js (and texts.js has no orphan)."""
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    texts = (STATIC_DIR / "texts.js").read_text(encoding="utf-8")
    used = set(re.findall(r'data-i18n(?:-html|-title)?="(\w+)"', html))
    defined = set(re.findall(r"^  (\w+): N_\(", texts, re.M))
    assert used and used == defined


# -- the page's language ------------------------------------------------------------------------
def test_page_language_from_the_address_and_the_server_default(client):
    page = client.get("/")
    assert '<html lang="en" data-default-lang="en">' in page.text
    page = client.get("/?lang=ko")
    assert '<html lang="ko" data-default-lang="en" class="i18n-loading">' in page.text
    assert page.headers["cache-control"] == "no-cache"
    assert '<html lang="en"' in client.get("/?lang=xx").text  # unknown: the default
    with TestClient(create_app(lang="ko"), base_url=ORIGIN) as korean:
        assert '<html lang="ko" data-default-lang="ko"' in korean.get("/").text
        assert '<html lang="en" data-default-lang="ko">' in korean.get("/?lang=en").text
        assert korean.app.state.lang == "ko"
    with pytest.raises(ValueError):
        create_app(lang="fr")


def test_missing_page_in_korean(tmp_path):
    with TestClient(create_app(static_dir=tmp_path, lang="ko"), base_url=ORIGIN) as c:
        response = c.get("/")
    assert response.status_code == 404 and "index.html" in response.text
    assert "설치" in response.text


# -- the server's messages, in each page's language ------------------------------------------------
def bad_learning_rate(ws, mid: int) -> dict:
    ws.send_json({"type": "config", "id": mid, "config": {"learning_rate": 99}})
    err = ws.receive_json()
    assert err["type"] == "error" and err["field"] == "config.learning_rate" and err["id"] == mid
    return err


def test_errors_follow_the_page_language_and_its_switch(client):
    with client.websocket_connect(WS_URL + "?lang=ko", headers={"origin": ORIGIN}) as ws:
        hello = opening(ws)
        assert hello["lang"] == "ko" and hello["languages"] == ["en", "ko"]
        # the options stay English: the page translates them with its catalog
        assert hello["options"]["datasets"]["circle"]["label"] == "Circle"
        err = bad_learning_rate(ws, 1)
        assert err["message"] == (
            "config.learning_rate: 1e-05에서 10 사이여야 합니다 (받은 값: 99)"
        )
        ws.send_text("{oops")
        assert "올바른 JSON이 아닙니다" in ws.receive_json()["message"]
        ws.send_bytes(b"\x00")
        assert "바이너리" in ws.receive_json()["message"]
        # the learner switches to English: the same session, now English messages
        ws.send_json({"type": "language", "id": 2, "lang": "en"})
        assert ws.receive_json() == {"type": "language", "id": 2, "lang": "en"}
        err = bad_learning_rate(ws, 3)
        assert err["message"] == "config.learning_rate must be from 1e-05 to 10; received 99"
        ws.send_json({"type": "language", "id": 4, "lang": "ko"})
        assert ws.receive_json()["lang"] == "ko"
        # errors raised in the training threads (a preset, a config) speak it too
        ws.send_json({"type": "config", "id": 5, "config": {"layers": [{"units": 9}]}})
        err = ws.receive_json()
        assert err["field"] == "config.layers[0].activation"
        assert "필요한 키가 없습니다" in err["message"]
        # an unknown language is refused, in the language in force, and changes nothing
        ws.send_json({"type": "language", "id": 6, "lang": "fr"})
        err = ws.receive_json()
        assert (err["type"], err["field"], err["request"]) == ("error", "lang", "language")
        assert "중 하나여야 합니다" in err["message"] and "'ko'" in err["message"]
        ws.send_json({"type": "snapshot", "id": 7})
        assert ws.receive_json()["type"] == "state"
        assert bad_learning_rate(ws, 8)["message"].endswith("(받은 값: 99)")


def test_one_page_language_does_not_leak_into_another(client):
    korean = client.websocket_connect(WS_URL + "?lang=ko", headers={"origin": ORIGIN})
    english = client.websocket_connect(WS_URL, headers={"origin": ORIGIN})
    with korean as ko, english as en:
        opening(ko)
        assert opening(en)["lang"] == "en"
        for mid in range(3):
            assert "사이여야" in bad_learning_rate(ko, mid)["message"]
            assert "must be from" in bad_learning_rate(en, mid)["message"]
    assert i18n.get_language() == "en"  # nothing left behind in this thread either


def test_unknown_language_in_the_address_falls_back(client):
    with client.websocket_connect(WS_URL + "?lang=xx", headers={"origin": ORIGIN}) as ws:
        assert opening(ws)["lang"] == "en"


def test_language_message_is_validated():
    assert parse_message('{"type": "language", "lang": "ko"}')["lang"] == "ko"
    for raw in ('{"type": "language"}', '{"type": "language", "lang": 3}'):
        with pytest.raises(Exception) as info:
            parse_message(raw)
        assert info.value.field == "lang"  # type: ignore[attr-defined]


def test_config_errors_in_korean():
    with use_language("ko"):
        assert describe_json(True) == "불리언 값 true"
        assert describe_json([1, 2]) == "항목 2개짜리 리스트"
        with pytest.raises(Exception) as info:
            validate_config({"dataset": "circle"})
        assert "빠졌습니다" in info.value.message  # type: ignore[attr-defined]
    assert describe_json(True) == "the boolean true"  # English outside


# -- gradlab playground --lang ------------------------------------------------------------------
def test_cli_lang_sets_the_pages_default(monkeypatch, capsys):
    import uvicorn

    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    try:
        assert main(["playground", "--lang", "ko", "--port", "8765"]) == 0
        out = capsys.readouterr().out
        assert "gradlab 플레이그라운드: http://127.0.0.1:8765/" in out and "Ctrl+C" in out
        assert apps[-1].state.lang == "ko"
        assert main(["playground", "--lang", "ko", "--port", "0"]) == 2
        assert "--port: 1에서 65535 사이여야" in capsys.readouterr().err
        assert main(["playground", "--lang", "en"]) == 0
        assert apps[-1].state.lang == "en"
        assert "(Ctrl+C to stop)" in capsys.readouterr().out
    finally:
        i18n.set_language(None)


def test_static_files_are_where_the_tests_expect():
    for name in ("i18n.js", "texts.js"):
        assert (STATIC_DIR / name).is_file()
    assert isinstance(json.loads(page_catalog("en")), dict)
    assert Path(PO).is_file()
