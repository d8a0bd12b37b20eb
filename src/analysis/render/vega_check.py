"""Whether a Vega-Lite spec may be drawn in the page: an allow-list of value forms.

A chart is drawn interactively in the HTML report only when nothing in its spec can make the
browser load something. Keys that load by design are refused (``url`` for data and images,
``usermeta`` for vega-embed options, ``href`` for link channels), and every string of the spec,
its inline data included, must have one of the forms allowed here:

- **text**: anything a browser cannot read as a resource reference once CSS and JavaScript
  escapes are undone: no ``url(``, ``image(``, ``image-set(``, ``src(`` function, no
  ``@import``, no ``://`` and no leading ``//``. Vega writes paint
  values (``mark.fill``, ``config.mark.stroke``, a ``fill`` channel with ``scale: null``
  reading its colour from the data) into SVG attributes, where ``url(http://…)`` is a paint
  server the browser fetches: so no string may carry one, wherever it is;
- **expressions** (``expr``, ``signal``, ``test``, ``calculate``, ``filter``, ``update`` and
  every ``…Expr`` key) are code that builds strings when the chart runs, so they may use only
  data fields (``datum.x``, ``datum['x']``), literals that are text as above, comparisons,
  logic, arithmetic other than ``+`` (which joins strings) and the functions of
  :data:`EXPRESSION_FUNCTIONS`, none of which builds a string from pieces;
- ``$schema``: a Vega or Vega-Lite schema address (vega-embed never fetches it).

A spec that is not a JSON object is refused as well. Raw Vega specs are never drawn (only
Vega-Lite is an allowed output type). A refused chart is shown as its static SVG.
"""

from __future__ import annotations

import re
from typing import Any

REFUSED_KEYS = frozenset({"url", "usermeta", "href"})
EXPRESSION_KEYS = frozenset({"expr", "signal", "test", "calculate", "filter", "update"})
SCHEMA_PREFIX = "https://vega.github.io/schema/"
# functions an expression may call: none builds a string from pieces
EXPRESSION_FUNCTIONS = frozenset({
    "indexof", "lastindexof", "length", "isValid", "isNumber", "isString", "isBoolean",
    "isArray", "isObject", "isDate", "isNaN", "isFinite", "toNumber", "toBoolean", "abs",
    "ceil", "floor", "round", "sqrt", "min", "max", "clamp", "log", "exp", "pow", "datetime",
    "year", "quarter", "month", "date", "day", "hours", "minutes", "seconds", "now", "inrange",
})
# the names an expression may use besides those functions
EXPRESSION_NAMES = frozenset({"datum", "true", "false", "null", "NaN", "Infinity", "PI"})

# what a browser reads as fetching something, once escapes are undone and spaces are gone
_FETCHING = re.compile(r"(url|image|image-set|src|cross-fade|element)\(|@import|://|^//",
                       re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.DOTALL)
_JS_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_STRING = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""", re.DOTALL)
_TOKEN = re.compile(r"""\s*(?:(?P<name>[A-Za-z_$][\w$]*)|(?P<number>\d+(?:\.\d*)?(?:[eE][-]?\d+)?
                        |\.\d+)|(?P<op>===|!==|==|!=|<=|>=|&&|\|\||[-*/%<>!?:.,()\[\]{}])
                        |(?P<string>\x00))""", re.VERBOSE)


def _unescaped(text: str) -> str:
    """``text`` with CSS and JavaScript escapes undone, as a browser or Vega would read it."""
    def code(number: str) -> str:
        value = int(number, 16)
        return chr(value) if 0 < value < 0x110000 else "\ufffd"

    text = _JS_ESCAPE.sub(lambda m: code(m.group(1) or m.group(2) or m.group(3)), text)
    return _CSS_ESCAPE.sub(lambda m: code(m.group(1)) if m.group(1) else m.group(2), text)


def text_problem(text: str) -> str | None:
    """Why ``text`` could make the browser fetch something, or None for plain text."""
    plain = re.sub(r"[\s\x00-\x1f'\"]+", "", _unescaped(text))
    if _FETCHING.search(plain):
        return f"a value that could load a resource: {text[:60]!r}"
    return None


def expression_problem(expression: str) -> str | None:
    """Why a Vega expression is not allowed (see the module notes), or None."""
    literals = _STRING.findall(expression)
    for literal in literals:
        problem = text_problem(literal[1:-1])
        if problem:
            return problem
    code = _STRING.sub("\x00", expression)
    position, previous, member = 0, "", False
    while position < len(code):
        match = _TOKEN.match(code, position)
        if match is None or match.end() == position:
            rest = code[position:].strip()
            if not rest:
                break
            return (f"an expression with {rest[:20]!r}, which charts may not use: "
                    f"{expression[:60]!r}")
        name, op = match.group("name"), match.group("op")
        if op == "(" and member:
            return f"an expression calling a method: {expression[:60]!r}"
        if name is not None and previous != "." and name not in EXPRESSION_NAMES:
            following = code[match.end():].lstrip()[:1]
            if following != "(" or name not in EXPRESSION_FUNCTIONS:
                return f"an expression calling or naming {name!r}: {expression[:60]!r}"
        member = name is not None and previous == "."
        previous = op or ""
        position = match.end()
    return None


def spec_problem(spec: Any) -> str | None:
    """Why a Vega-Lite spec may not be drawn in the page (see the module notes), or None."""
    if not isinstance(spec, dict):
        return f"the spec is a {type(spec).__name__}, not a JSON object"
    stack: list[tuple[str, Any]] = [("", spec)]
    while stack:
        key, item = stack.pop()
        if isinstance(item, dict):
            for name, value in item.items():
                if not isinstance(name, str):
                    return "a key that is not text"
                if name in REFUSED_KEYS:
                    return f"the key {name!r}, which loads data or sets what a click opens"
                problem = text_problem(name)
                if problem:
                    return problem
                stack.append((name, value))
        elif isinstance(item, list):
            stack.extend((key, value) for value in item)
        elif isinstance(item, str):
            if key == "$schema":
                problem = None if item.startswith(SCHEMA_PREFIX) else "an unknown $schema"
            elif key in EXPRESSION_KEYS or key.endswith("Expr"):
                problem = expression_problem(item)
            else:
                problem = text_problem(item)
            if problem:
                return problem
        elif not (item is None or isinstance(item, bool | int | float)):
            return f"a value of type {type(item).__name__}"
    return None
