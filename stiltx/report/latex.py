"""LaTeX tables for a paper (booktabs): at the document's font size, never scaled.

- Width: each table's width is estimated in em from its text (Computer Modern and Times set
  digits at 0.5 em; `_em` below) against the space it has: layout "column" (default) a column of
  a two-column ACL / EMNLP paper (219 pt at 11 pt = 19.9 em), layout "wide" the text width in
  `table*` (455 pt = 41.4 em). A table that does not fit is transposed when that fits (a table
  with more columns than rows prefers one row per column in a column anyway); long headers
  wrap over lines, then stand on their side; else its columns are split into parts stacked in
  the same float, each part repeating the row labels, and a table taller than a page goes on in
  a continuation float. Long row labels wrap in a fixed-width first column. Nothing is ever
  scaled (no \\resizebox): every table is at the size of the text around it.
- layout "column": deltas and per-language tables show means only ('*' still marks an interval
  that excludes 0; the intervals are in the wide layout and in the HTML / Markdown report).
- Task and benchmark names as the papers write them (stiltx.tasks.registry.PAPER_NAMES).
- Caption: the title, what cells, marks and bold mean, then where the numbers come from: recipes
  with their seeds, model, method, stiltx version and commit, run dates. No machine path appears
  anywhere in the file: a model given as a path shows its last component.
- Minus signs are `$-$`, marks superscripts ($^\\dagger$ partial, $^\\ddagger$ collapsed, $^*$
  interval excludes 0); bold is the unique best complete value of a column (cells.best_cells).
Labels are `<label_prefix><table key>`. Preamble: \\usepackage{booktabs,graphicx} (graphicx sets a
long header on its side when nothing else fits).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from stiltx import __version__
from stiltx.report.cells import best_cells, format_cell, legend, significant
from stiltx.report.options import LAYOUTS
from stiltx.report.provenance import RunProvenance, public_name, runs_provenance
from stiltx.report.tables import RecipeGroup, Report, Row, Table
from stiltx.report.uncertainty import Stat
from stiltx.tasks.registry import PAPER_NAMES, paper_name

COLUMN_EM = 19.9  # \columnwidth of a two-column ACL paper: 219 pt at 11 pt
TEXT_EM = 41.4  # its \textwidth: 455 pt at 11 pt
SEP_EM = 0.4  # \tabcolsep, each side of a column
FIT = 0.97  # the estimate's margin of error
PAGE_LINES = 46  # an ACL page: 666 pt of text in 13.6 pt lines (11 pt), less a margin
CONTINUED = 3  # lines of a continuation's caption
HEADERS = ("plain", "wrap", "rotate")  # how headers are tried, until a table fits
ROTATED_EM = 1.2  # the width of a header set on its side (\rotatebox{90})
LABEL_EM = {"column": 7.0, "wide": 12.0}  # the first column wraps beyond this
BOLD = 1.12  # bold extended digits are wider (0.575 em vs 0.5 em)

_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}  # fmt: skip
_MARKS = {"†": r"$^\dagger$", "‡": r"$^\ddagger$", "*": r"$^*$"}
# Glyph widths in em (Computer Modern roman; Times is narrower): what the width estimate needs.
_WIDTHS = {**dict.fromkeys("0123456789", 0.5), **dict.fromkeys(".,:;'[]!|", 0.28),
           **dict.fromkeys("()", 0.39), **dict.fromkeys("+=±<>≤−", 0.78), " ": 0.34,
           "–": 0.5, "%": 0.84, "/": 0.5, "*": 0.35, "†": 0.35, "‡": 0.35, "_": 0.5,
           "-": 0.34, **dict.fromkeys("ijlft", 0.3), **dict.fromkeys("mw", 0.83),
           **dict.fromkeys("secrz", 0.43),
           **dict.fromkeys("MW", 1.03)}  # fmt: skip
_NAMES = re.compile(
    r"(?<![\w/.-])(" + "|".join(sorted(map(re.escape, PAPER_NAMES), key=len, reverse=True))
    + r")(?![\w/-])"
)  # fmt: skip


def tex(text: str) -> str:
    """Escape text for LaTeX; minus signs as $-$, ± and marks in math."""
    out = "".join(_TEX.get(ch, ch) for ch in text)
    out = re.sub(r"(?<![\w\\])-(?=\d)", r"$-$", out)
    out = out.replace(" - ", " $-$ ")  # 'recipe - direct', 'en - zero-shot': a minus
    out = out.replace("±", r"$\pm$").replace("–", "--").replace("<=", r"$\leq$")
    for mark, math in _MARKS.items():
        out = out.replace(mark, math)
    return out


def _cell(text: str, bold: bool) -> str:
    """A cell: '72.0$\\pm$1.0' as papers set it (no spaces around the ±), bold if it is best."""
    text = tex(text.replace(" ± ", "±"))
    return rf"\textbf{{{text}}}" if bold else text


def _em(text: str, bold: bool = False) -> float:
    """Estimated width of `text` in em at the document's font size."""
    text = (
        re.sub(r"-(?=\d)", "−", text).replace("<=", "≤").replace(" ± ", "±").replace(" - ", " − ")
    )
    width = sum(_WIDTHS.get(ch, 0.74 if ch.isupper() else 0.5) for ch in text)
    return width * (BOLD if bold else 1.0)


def _pieces(text: str) -> list[str]:
    """Where a header or label may break: after a space, and after a hyphen, slash or underscore
    between two words of 3+ letters ('single-' 'commonsenseqa', never 'PAN-' 'X')."""
    return [p for p in re.split(r"(?<= )|(?<=\w\w\w[/_-])(?=\w\w\w)", text) if p]


def _lines(text: str, width: float) -> list[str]:
    """`text` in lines no wider than `width` em (or its widest piece), broken at `_pieces`."""
    lines: list[str] = []
    for piece in _pieces(text):
        if lines and _em((lines[-1] + piece).rstrip()) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return [line.rstrip() for line in lines]


def _transpose(table: Table) -> Table:
    """Rows become columns: one row per column of `table`, one column per row (recipe)."""
    rows = []
    for j, column in enumerate(table.columns):
        cells = tuple(r.cells[j] for r in table.rows)
        marks = tuple(r.marks_of(j) for r in table.rows)
        rows.append(Row(column, cells, marks=marks))
    return Table(
        key=table.key,
        title=table.title,
        label_header="",
        columns=tuple(r.label for r in table.rows),
        rows=tuple(rows),
        kind=table.kind,
        notes=(),  # the bold rule runs over recipes (rows of the original), applied below
    )


def _means_only(table: Table, layout: str) -> bool:
    return layout == "column" and (table.kind == "delta" or table.key.startswith("per_language:"))


def _texts(table: Table, means_only: bool) -> list[list[str]]:
    out = []
    for row in table.rows:
        texts = []
        for j, cell in enumerate(row.cells):
            shown = Stat(cell.mean) if means_only and isinstance(cell, Stat) else cell
            text = format_cell(shown, table.kind, row.marks_of(j))
            if means_only and table.kind == "delta" and isinstance(cell, Stat):
                text += "*" if significant(cell) else ""
            texts.append(text)
        out.append(texts)
    return out


@dataclass(frozen=True)
class _Shape:
    """One orientation of a table as text, with what its layout needs to know."""

    table: Table
    texts: list[list[str]]
    best: set[tuple[int, int]]
    label_width: float  # em, the first column (wrapped beyond LABEL_EM)
    wrap_labels: bool
    widths: list[float]  # em, each data column (its cells, or its header when wider)
    headers: str  # HEADERS: as they are, wrapped over lines, or (long ones) rotated

    def parts(self, limit: float) -> list[list[int]]:
        """Data columns in groups that each fit `limit` em beside the row labels."""
        groups: list[list[int]] = [[]]
        used = self.label_width + 2 * SEP_EM
        for j, width in enumerate(self.widths):
            if groups[-1] and used + width + 2 * SEP_EM > limit * FIT:
                groups.append([])
                used = self.label_width + 2 * SEP_EM
            groups[-1].append(j)
            used += width + 2 * SEP_EM
        return groups


def _shape(table: Table, texts, best, layout: str, headers: str) -> _Shape:
    labels = [table.label_header, *(r.label for r in table.rows), *(r.group for r in table.rows)]
    longest = max((_em(paper_name(x)) for x in labels), default=2.0)
    widest_piece = max((_em(p.strip()) for x in labels for p in _pieces(paper_name(x))), default=0)
    cap = max(LABEL_EM[layout], widest_piece)
    widths = []
    for j, header in enumerate(table.columns):
        cells = max((_em(r[j], (i, j) in best) for i, r in enumerate(texts)), default=0.0)
        head = _em(paper_name(header))
        if headers == "wrap":
            head = max(_em(line) for line in _lines(paper_name(header), cells))
        elif headers == "rotate":
            head = min(head, ROTATED_EM)
        widths.append(max(cells, head))
    return _Shape(table, texts, best, min(longest, cap), longest > cap, widths, headers)


def _shapes(table: Table, layout: str, headers: str) -> list[_Shape]:
    """Candidate orientations, preferred first: a table with more columns than rows is taller
    transposed (a column of a paper is tall); one whose row labels repeat (a task under each
    recipe) or whose rows are grouped is transposed only when that splits it less."""
    means_only = _means_only(table, layout)
    best = best_cells(table)
    as_is = _shape(table, _texts(table, means_only), best, layout, headers)
    labels = [r.label for r in table.rows]
    if len(set(labels)) < len(labels):
        return [as_is]
    transposed = _transpose(table)
    flipped = {(j, i) for i, j in best}
    turned = _shape(transposed, _texts(transposed, means_only), flipped, layout, headers)
    grouped = any(r.group for r in table.rows)
    tall = layout == "column" and len(table.columns) > len(table.rows) and not grouped
    return [turned, as_is] if tall else [as_is, turned]


def _choose(table: Table, layout: str) -> tuple[_Shape, list[list[int]]]:
    """The first shape that fits whole, headers as they are, else wrapped, else rotated; else the
    one (long headers rotated) split into the fewest parts."""
    limit = COLUMN_EM if layout == "column" else TEXT_EM
    for headers in HEADERS:
        for shape in _shapes(table, layout, headers):
            if len(parts := shape.parts(limit)) == 1:
                return shape, parts
    split = [(s, s.parts(limit)) for s in _shapes(table, layout, HEADERS[-1])]
    return min(split, key=lambda item: len(item[1]))


def _header_cell(text: str, width: float, headers: str, align: str) -> str:
    if headers == "rotate" and _em(paper_name(text)) > width:
        return rf"\rotatebox{{90}}{{{tex(paper_name(text))}}}"
    lines = _lines(paper_name(text), width) if headers == "wrap" else [paper_name(text)]
    if len(lines) == 1:
        return tex(lines[0])
    body = r" \\ ".join(tex(line) for line in lines)
    return rf"\begin{{tabular}}[b]{{@{{}}{align}@{{}}}}{body}\end{{tabular}}"


def _label_cell(row: Row, wrap: bool) -> str:
    text = tex(paper_name(row.label))
    if wrap:
        text = text.replace("/", r"\slash{}").replace(r"\_", r"\_\allowbreak{}")
    text = rf"\textit{{{text}}}" if row.summary else text
    return (r"\raggedright " + text) if wrap else text


def _tabular(shape: _Shape, part: Sequence[int], rows: Sequence[int]) -> list[str]:
    """The columns `part` and rows `rows` of `shape` as one booktabs tabular."""
    t = shape.table
    first = f"p{{{shape.label_width:.1f}em}}" if shape.wrap_labels else "l"
    ncols = 1 + len(part)
    head = [
        _header_cell(t.label_header, shape.label_width, "wrap" if shape.wrap_labels else "", "l")
    ]
    head += [_header_cell(t.columns[j], shape.widths[j], shape.headers, "r") for j in part]
    lines = [rf"\begin{{tabular}}{{{first}{'r' * len(part)}}}", r"\toprule"]
    lines += [" & ".join(head) + r" \\", r"\midrule"]
    group = None
    for i in rows:
        row = t.rows[i]
        if row.group and row.group != group:
            if group is not None:
                lines.append(r"\midrule")
            name = tex(paper_name(row.group))
            lines.append(rf"\multicolumn{{{ncols}}}{{l}}{{\textit{{{name}}}}} \\")
            group = row.group
        if row.summary and (i == rows[0] or not t.rows[i - 1].summary):
            lines.append(r"\midrule")
        cells = [_cell(shape.texts[i][j], (i, j) in shape.best) for j in part]
        lines.append(" & ".join([_label_cell(row, shape.wrap_labels), *cells]) + r" \\")
    return [*lines, r"\bottomrule", r"\end{tabular}"]


# ---- captions ------------------------------------------------------------------------------------


def _papered(text: str) -> str:
    """Task and benchmark names in running text as the papers write them."""
    return _NAMES.sub(lambda m: PAPER_NAMES[m.group(1)], text)


def _sentence(text: str, names: set[str]) -> str:
    """A caption sentence: capitalized (unless it starts with a recipe or task name), a full stop."""
    text = text.strip()
    first = re.split(r"[\s:,]", text, maxsplit=1)[0]
    if text[:1].islower() and first not in names:
        text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _joined(values: Sequence[str]) -> str:
    """Distinct known values, in order ('' when none is known)."""
    return ", ".join(dict.fromkeys(v for v in values if v and v != "unknown"))


def _span(runs: Sequence[RunProvenance]) -> str:
    dates = sorted({d[:10] for p in runs for d in (p.started, p.finished) if d})
    if not dates:
        return "dates unknown"
    return f"dated {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "")


def _groups_in(table: Table, report: Report) -> list[RecipeGroup]:
    """The recipes a table shows (named in its title, rows, groups or columns); else all."""
    words = {table.title, *table.columns, *(r.label for r in table.rows),
             *(r.group for r in table.rows)}  # fmt: skip
    text = " ".join(words)
    named = [g for g in report.groups
             if g.name in words or re.search(rf"(?<![\w/-]){re.escape(g.name)}(?![\w/-])", text)]  # fmt: skip
    return named or list(report.groups)


def provenance_sentence(report: Report, groups: Sequence[RecipeGroup]) -> str:
    """'Runs: direct (seeds 1, 2), ...; model ..., method ...; stiltx 0.1.0 (commit ...); runs of
    <date>.' Folder names, never paths."""
    names = {g.name for g in groups}
    runs = [p for p in runs_provenance(report) if p.recipe in names]
    recipes = []
    for g in groups:
        seeds = [("?" if p.seed is None else str(p.seed)) for p in runs if p.recipe == g.name]
        label = "seed" if len(seeds) == 1 else "seeds"
        recipes.append(f"{g.name} ({label} {', '.join(seeds)})")
    models = _joined([public_name(p.model) for p in runs])
    methods, commits = _joined([p.method for p in runs]), _joined([p.git_commit for p in runs])
    versions = _joined([p.stiltx_version for p in runs])
    known = [f"model {models}" if models else "", f"method {methods}" if methods else "",
             f"stiltx {versions}" if versions else "", f"commit {commits}" if commits else ""]  # fmt: skip
    return f"Runs: {'; '.join(recipes)}; " + ", ".join([*filter(None, known), _span(runs)]) + "."


def caption(table: Table, report: Report, notes: Sequence[str]) -> str:
    names = {g.name for g in report.groups} | set(PAPER_NAMES)
    parts = [_sentence(table.title, names), *(_sentence(n, names) for n in notes)]
    parts.append(provenance_sentence(report, _groups_in(table, report)))
    text = tex(_papered(" ".join(parts)))
    return text.replace("/", r"\slash{}")  # a long path-like note may break at its slashes


# ---- tables and the file -------------------------------------------------------------------------


def _header_lines(shape: _Shape, header: str, width: float) -> float:
    name = paper_name(header)
    if shape.headers == "wrap":
        return len(_lines(name, width))
    if shape.headers == "rotate" and _em(name) > width:
        return _em(name) * 11 / 13.6  # em of text standing up, in 13.6 pt lines
    return 1


def _lines_of(shape: _Shape, part: Sequence[int], rows: Sequence[int]) -> float:
    """Estimated height of `_tabular(shape, part, rows)` in text lines."""
    t = shape.table
    heads = [t.columns[j] for j in part]
    head = max([_header_lines(shape, h, shape.widths[j]) for h, j in zip(heads, part, strict=True)]
               or [1])  # fmt: skip
    body, group = 0.0, None
    for i in rows:
        row = t.rows[i]
        if row.group and row.group != group:
            body, group = body + 1.3, row.group
        label = _em(paper_name(row.label))
        body += max(1, -(-label // shape.label_width)) if shape.wrap_labels else 1
    return head + body + 1.5  # rules


def _floats(shape: _Shape, parts: list[list[int]], first: float) -> list[list[tuple]]:
    """(part, rows) blocks packed into floats of at most PAGE_LINES lines (`first` lines for the
    one that carries the caption): a part taller than a page is cut between rows."""
    blocks = []
    for part in parts:
        chunk: list[int] = []
        for i in range(len(shape.table.rows)):
            if chunk and _lines_of(shape, part, [*chunk, i]) + 1 > min(
                first, PAGE_LINES - CONTINUED
            ):
                blocks.append((part, chunk))
                chunk = []
            chunk.append(i)
        blocks.append((part, chunk))
    floats: list[list[tuple]] = [[]]
    room = first
    for block in blocks:
        height = _lines_of(shape, *block) + 1  # \medskip
        if floats[-1] and height > room:
            floats.append([])
            room = PAGE_LINES - CONTINUED
        floats[-1].append(block)
        room -= height
    return floats


def table_latex(
    table: Table, report: Report, layout: str = "column", label_prefix: str = "tab:"
) -> str:
    """`table` as one float, or (taller than a page) a float and its continuations."""
    shape, parts = _choose(table, layout)
    notes = [*table.notes, *legend(table)]
    if _means_only(table, layout):  # the intervals are not shown: only what '*' says of them
        notes = [n for n in notes if not n.startswith("[low, high]")]
        notes.append("means only; intervals in the wide layout and the HTML / Markdown report")
    if len(parts) > 1:
        notes.append(f"in {len(parts)} parts to fit the page, each with the row labels")
    text = caption(table, report, notes)
    width = COLUMN_EM if layout == "column" else TEXT_EM
    caption_lines = 1 + _em(re.sub(r"\\[a-z]+|[{}$]", "", text)) / width
    floats = _floats(shape, parts, PAGE_LINES - caption_lines)
    env = "table" if layout == "column" else "table*"
    key = re.sub(r"[^A-Za-z0-9]+", "-", table.key).strip("-")
    out = []
    for n, blocks in enumerate(floats):
        lines = [rf"\begin{{{env}}}[tp]", r"\centering", rf"\setlength{{\tabcolsep}}{{{SEP_EM}em}}"]
        for k, (part, rows) in enumerate(blocks):
            lines += (["", r"\medskip"] if k else []) + _tabular(shape, part, rows)
        if n == 0:
            lines += [rf"\caption{{{text}}}", rf"\label{{{label_prefix}{key}}}"]
        else:
            title = tex(_papered(table.title))
            lines.append(
                rf"\caption{{{title} (continued from Table~\ref{{{label_prefix}{key}}}).}}"
            )
        out.append("\n".join([*lines, rf"\end{{{env}}}"]) + "\n")
    return "\n".join(out)


def header_comments(report: Report) -> list[str]:
    """The file's provenance comments: one line per recipe; folder names, never paths."""
    runs = runs_provenance(report)
    versions = _joined([p.stiltx_version for p in runs])
    lines = [f"% made by stiltx {__version__} from {len(runs)} run(s) of stiltx {versions}; "
             f"{_span(runs)}"]  # fmt: skip
    for g in report.groups:
        mine = [p for p in runs if p.recipe == g.name]
        seeds = ", ".join("?" if p.seed is None else str(p.seed) for p in mine)
        lines.append(
            f"% {g.name}: model {_joined([public_name(p.model) for p in mine])}; "
            f"method {_joined([p.method for p in mine])}; benchmark {g.benchmark}; seeds {seeds}; "
            f"commit {_joined([p.git_commit for p in mine])}; device {_joined([p.device for p in mine])}"
        )  # fmt: skip
    return [*lines, r"% requires \usepackage{booktabs,graphicx}"]


def to_latex(report: Report, layout: str = "column", label_prefix: str = "tab:") -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"LaTeX layout '{layout}': expected one of {', '.join(LAYOUTS)}")
    body = [table_latex(t, report, layout, label_prefix) for t in report.tables]
    return "\n".join(header_comments(report)) + "\n\n" + "\n".join(body)
