"""The web client's static promises, checked without a browser: translations are complete, markup has no text."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
LANGUAGES = ["en", "ru"]
# Keys are dotted snake_case words; event names and storage keys look alike, so those are listed.
NOT_KEYS = re.compile(
    r"^(conference\.|call\.(ring|accepted|declined|cancelled)$|chat\.(message|send)$|dm\.(message|receipt|send)$|"
    r"lobby\.(request|admitted|denied|resolved)$|participant\.(removed|muted|updated)$|room\.(ended|updated)$|"
    r"recording\.(started|stopped|ready|failed)$|hands\.changed$|unmute\.requested$|"
    r"group\.(created|updated|member_added|member_removed|message|read)$|(chat|dm|group)\.reaction$|read\.position$)"
)


def client_sources() -> dict[Path, str]:
    return {path: path.read_text() for path in WEB.rglob("*.js") if "node_modules" not in path.parts}


def strings(lang: str) -> dict:
    return json.loads((WEB / "i18n" / f"{lang}.json").read_text())


def test_every_language_has_the_same_keys():
    english = set(strings("en"))
    for lang in LANGUAGES[1:]:
        assert set(strings(lang)) == english, f"{lang}.json differs from en.json"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_code_uses_is_translated(lang):
    known = strings(lang)
    missing = set()
    for path, source in client_sources().items():
        for key in re.findall(r"'([a-z]+\.[a-z_]+)'", source):
            if not NOT_KEYS.match(key) and key not in known:
                missing.add(f"{path.relative_to(WEB)}: {key}")
        # t(`outcome.${key}_title`): every filled-in variant must exist too.
        for prefix, suffix in re.findall(r"t\(`([a-z]+\.)\$\{\w+\}([a-z_]*)`", source):
            assert any(k.startswith(prefix) and k.endswith(suffix) for k in known), (prefix, suffix)
    assert not missing, sorted(missing)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_english(lang):
    english = strings("en")
    for key, value in strings(lang).items():
        forms = value.values() if isinstance(value, dict) else [value]
        english_forms = english[key].values() if isinstance(english[key], dict) else [english[key]]
        wanted = set().union(*(set(re.findall(r"\{\w+\}", f)) for f in english_forms))
        for form in forms:
            assert set(re.findall(r"\{\w+\}", form)) <= wanted, (lang, key, form)


def test_index_html_carries_no_text_and_uses_paths_from_the_site_root():
    class Collect(HTMLParser):
        text: list[str] = []
        refs: list[str] = []

        def handle_data(self, data):
            if data.strip():
                self.text.append(data.strip())

        def handle_starttag(self, tag, attrs):
            self.refs += [value for name, value in attrs if name in ("src", "href")]

    parser = Collect()
    parser.feed((WEB / "index.html").read_text())
    assert parser.text == []
    # /r/<id> pages load the same index.html, so its assets must not be relative to the page.
    assert parser.refs and all(ref.startswith("/") for ref in parser.refs)


def test_livekit_comes_from_npm_not_a_cdn():
    package = json.loads((WEB / "package.json").read_text())
    assert "livekit-client" in package["dependencies"]
    assert (WEB / "package-lock.json").exists()
    for path, source in client_sources().items():
        assert not re.search(r"https?://(cdn|unpkg|esm\.sh|jsdelivr)", source), path
        static = re.findall(r"""^(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]""", source, re.M | re.S)
        dynamic = re.findall(r"""\bimport\(\s*['"]([^'"]+)['"]\s*\)""", source)
        for spec in static + dynamic:
            assert spec.startswith(("./", "../", "/vendor/")), f"{path.relative_to(WEB)} imports {spec}"


def test_api_paths_are_spelled_only_in_endpoints_js():
    # The refresh stays inside the fetch wrapper, the socket inside realtime.js; every operation is in endpoints.js.
    allowed = {"api.js": {"/api/v1", "/auth/refresh"}, "realtime.js": {"/api/v1/ws"}}
    api_path = re.compile(r"""['"`](/(?:api/v1|rooms|dm|calls|contacts|users|auth|tokens|ws)\b[^'"`$?]*)""")
    for path, source in client_sources().items():
        if path.name in ("endpoints.js", "types.js"):
            continue
        spelled = set(api_path.findall(source)) - allowed.get(path.name, set())
        assert not spelled, f"{path.relative_to(WEB)} builds API paths by hand: {sorted(spelled)}; use endpoints.js"
