"""No function in the web client is longer than 60 lines, counted from its first line to its closing brace.

`python tests/test_web_function_length.py` prints the longest ones. The scanner knows just enough
JavaScript for this client: strings, template literals, comments, regular expressions and braces.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "web"
LIMIT = 60
NOT_CALLS = {"if", "for", "while", "switch", "catch", "with", "return", "typeof", "await", "function"}
# After these a "/" starts a regular expression, not a division.
BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "do", "else", "in", "of", "=>"}


@dataclass
class Token:
    text: str
    line: int


@dataclass
class Function:
    path: str
    line: int
    end: int
    name: str

    @property
    def length(self) -> int:
        return self.end - self.line + 1


def tokens(source: str) -> list[Token]:
    """Punctuation and words; strings, comments and regexes are skipped, template literals' ${} are kept."""
    out: list[Token] = []
    i, line, n = 0, 1, len(source)
    templates: list[int] = []  # brace depth inside each open ${ … }
    while i < n:
        c = source[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif source.startswith("//", i):
            i = source.find("\n", i) if "\n" in source[i:] else n
        elif source.startswith("/*", i):
            end = source.index("*/", i) + 2
            line += source.count("\n", i, end)
            i = end
        elif c in "'\"":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            i = j + 1
            out.append(Token("string", line))
        elif c == "`" or (c == "}" and templates and templates[-1] == 0):
            if c == "}":
                templates.pop()
            j = i + 1
            while source[j] != "`" and not source.startswith("${", j):
                line += source[j] == "\n"
                j += 2 if source[j] == "\\" else 1
            if source[j] == "`":
                i = j + 1
                out.append(Token("string", line))
            else:
                templates.append(0)
                i = j + 2
        elif c == "/" and (not out or out[-1].text in BEFORE_REGEX):
            j, in_class = i + 1, False
            while source[j] != "/" or in_class:
                in_class = (in_class or source[j] == "[") and source[j] != "]"
                j += 2 if source[j] == "\\" else 1
            i = j + 1
            while i < n and source[i].isalpha():
                i += 1
            out.append(Token("regex", line))
        elif source.startswith("=>", i):
            out.append(Token("=>", line))
            i += 2
        else:
            word = re.match(r"[A-Za-z_$][\w$]*|\d[\w.]*", source[i:])
            text = word.group(0) if word else c
            if templates and text in "{}":
                templates[-1] += 1 if text == "{" else -1
            out.append(Token(text, line))
            i += len(text)
    return out


def functions(path: Path) -> list[Function]:
    """Every function body: after `=>`, or after `name(…)` / `function (…)` (methods and declarations)."""
    found: list[Function] = []
    stack: list[Function | None] = []
    toks = tokens(path.read_text())
    for k, tok in enumerate(toks):
        if tok.text == "{":
            stack.append(_function_at(toks, k, str(path.relative_to(WEB))))
        elif tok.text == "}" and stack:
            function = stack.pop()
            if function is not None:
                function.end = tok.line
                found.append(function)
    return found


def _function_at(toks: list[Token], k: int, path: str) -> Function | None:
    before = toks[k - 1] if k else None
    if before is None:
        return None
    if before.text == "=>":
        start = _arrow_start(toks, k - 1)
        return Function(path, toks[start].line, 0, "arrow")
    if before.text != ")":
        return None
    depth, j = 0, k - 1
    while j >= 0:
        depth += {")": 1, "(": -1}.get(toks[j].text, 0)
        if depth == 0:
            break
        j -= 1
    name = toks[j - 1] if j > 0 else None
    if name is None or not re.match(r"[A-Za-z_$]", name.text) or name.text in NOT_CALLS - {"function"}:
        return None
    start = j - 1
    while start > 0 and toks[start - 1].text in ("function", "async", "static", "get", "set", "export", "*"):
        start -= 1
    return Function(path, toks[start].line, 0, name.text)


def _arrow_start(toks: list[Token], arrow: int) -> int:
    j = arrow - 1
    if toks[j].text == ")":
        depth = 0
        while j >= 0:
            depth += {")": 1, "(": -1}.get(toks[j].text, 0)
            if depth == 0:
                break
            j -= 1
    return j - 1 if j > 0 and toks[j - 1].text == "async" else j


def client_functions() -> list[Function]:
    sources = [p for p in sorted(WEB.rglob("*.js")) if "node_modules" not in p.parts]
    return [function for path in sources for function in functions(path)]


def test_the_scanner_measures_functions_methods_and_arrows(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "WEB", tmp_path)
    (tmp_path / "a.js").write_text(
        "export async function f(a, b) {\n  const re = /[}{]/g;\n  const s = `x ${a ? '}' : `{`} y`;\n"
        "  if (a) {\n    return 1;\n  }\n}\n"
        "class C {\n  method() {\n    return () => {\n      x();\n    };\n  }\n}\n"
        "const g = async (x) =>\n  {\n    y(x / 2);\n  };\n"
    )
    measured = {(f.name, f.line, f.end) for f in functions(tmp_path / "a.js")}
    assert measured == {("f", 1, 7), ("method", 9, 13), ("arrow", 10, 12), ("arrow", 15, 18)}


def test_no_function_in_the_web_client_is_longer_than_60_lines():
    too_long = [f"{f.path}:{f.line} {f.name} ({f.length} lines)" for f in client_functions() if f.length > LIMIT]
    assert not too_long, "split these into smaller units:\n" + "\n".join(too_long)


if __name__ == "__main__":
    ranked = sorted(client_functions(), key=lambda f: -f.length)
    print(f"{len(ranked)} functions; {sum(f.length > LIMIT for f in ranked)} over {LIMIT} lines")
    for function in ranked[: int(sys.argv[1]) if len(sys.argv) > 1 else 15]:
        print(f"{function.length:4}  {function.path}:{function.line}  {function.name}")
