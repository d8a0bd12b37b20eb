"""Compare two output folders of `coopreport build`: the check for a refactoring that must not
change the reports.

Each report's HTML, the text of its PDF (pypdf) and its notebook's outputs are compared with
build metadata masked: commit and checksum prefixes, build times, and the random id papermill
gives its injected-parameters cell (code cells' source is left out: imports may change).
Prints one line per file and exits 1 when any differs:

    .venv/bin/coopreport build --all --output-dir /tmp/before   # on the old commit
    .venv/bin/coopreport build --all --output-dir /tmp/after    # on the new one
    .venv/bin/python benchmarks/compare_outputs.py /tmp/before /tmp/after
"""

import difflib
import json
import re
import sys
from pathlib import Path

from pypdf import PdfReader

MASKS = [
    (re.compile(r"\b[0-9a-f]{40}(-dirty)?\b"), "<commit>"),
    (re.compile(r"\b[0-9a-f]{12}(-dirty)?\b"), "<sha12>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<time>"),
    # papermill gives its injected-parameters cell a random id
    (re.compile(r'cell-id=[0-9a-f]{8}"'), 'cell-id=<id>"'),
    (re.compile(r'"id": "[0-9a-f]{8}"'), '"id": "<id>"'),
]

def mask(text: str) -> str:
    text = text.replace("\u200b", "")  # Typst's break opportunities in the PDF text layer
    for rx, sub in MASKS:
        text = rx.sub(sub, text)
    return text

def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)

def nb_text(path: Path) -> str:
    nb = json.loads(path.read_text())
    nb["metadata"].pop("papermill", None)
    for c in nb["cells"]:
        c.get("metadata", {}).pop("papermill", None)
        c.get("metadata", {}).pop("execution", None)
        c.pop("execution_count", None)
        for o in c.get("outputs", []):
            o.pop("execution_count", None)
        if c["cell_type"] == "code":
            c["source"] = ""  # the code may change (imports); the outputs may not
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False)

def main(first: str, second: str) -> int:
    a, b = Path(first), Path(second)
    bad = 0
    names = sorted(p.name for p in a.glob("*") if p.suffix in (".html", ".pdf", ".ipynb"))
    for name in names:
        pa, pb = a / name, b / name
        if not pb.exists():
            print(f"MISSING {name}")
            bad += 1
            continue
        if name.endswith(".pdf"):
            ta, tb = pdf_text(pa), pdf_text(pb)
        elif name.endswith(".ipynb"):
            ta, tb = nb_text(pa), nb_text(pb)
        else:
            ta, tb = pa.read_text(), pb.read_text()
        ta, tb = mask(ta), mask(tb)
        if ta == tb:
            print(f"same    {name}")
        else:
            bad += 1
            print(f"DIFFERS {name}")
            diff = difflib.unified_diff(ta.splitlines(), tb.splitlines(), lineterm="", n=0)
            for line in list(diff)[:20]:
                print("   ", line[:200])
    print(f"{len(names) - bad} of {len(names)} the same")
    return 1 if bad else 0

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: compare_outputs.py FIRST_OUTPUT_DIR SECOND_OUTPUT_DIR")
    sys.exit(main(sys.argv[1], sys.argv[2]))
