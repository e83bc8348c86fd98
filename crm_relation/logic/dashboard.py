# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Read o-spreadsheet dashboard data (the JSON of a ``spreadsheet.dashboard``).

Pure: imports nothing from Odoo. Used by the tests of both layers:

- :func:`data_sources` lists what the dashboard asks Odoo for (model, group
  bys, measures, domain fields, fields matched by global filters), so that
  layer 2 can check each model and field exists and can be read;
- :func:`terms` lists the texts Odoo's translation export extracts (the same
  rules as ``odoo.tools.translate.extract_spreadsheet_terms``);
- :func:`check_spreadsheet` checks the data is well formed o-spreadsheet data
  of the version Odoo 19 saves, and its references hold.
"""

import re
from dataclasses import dataclass, field

VERSION = "18.5.10"

CELL_RE = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")
RANGE_RE = re.compile(r"^([A-Z]{1,3}[1-9][0-9]*)(?::([A-Z]{1,3}[1-9][0-9]*))?$")
SHEET_REF_RE = re.compile(
    r"(?:'([^']+)'|([A-Za-z_][\w.]*))!(\$?[A-Z]{1,3}\$?[1-9][0-9]*)"
)
PIVOT_CALL_RE = re.compile(r"\b(PIVOT(?:\.VALUE|\.HEADER)?)\(\s*\"?(\w+)\"?")
T_CALL_RE = re.compile(r'_t\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
MARKDOWN_LINK_RE = re.compile(r"\[(.+)\]\(.+\)")

SHEET_KEYS = {
    "id",
    "name",
    "colNumber",
    "rowNumber",
    "rows",
    "cols",
    "merges",
    "cells",
    "styles",
    "formats",
    "borders",
    "conditionalFormats",
    "figures",
    "isVisible",
}
CHART_TYPES = {
    "scorecard",
    "gauge",
    "bar",
    "line",
    "pie",
    "odoo_bar",
    "odoo_line",
    "odoo_pie",
    "odoo_combo",
    "odoo_scatter",
    "odoo_geo",
    "odoo_treemap",
    "odoo_sunburst",
    "odoo_funnel",
    "odoo_waterfall",
    "odoo_pyramid",
    "odoo_radar",
}
CF_RULES = {"CellIsRule", "ColorScaleRule", "IconSetRule", "DataBarRule"}
FILTER_TYPES = {"date", "relation", "text", "boolean", "selection", "numeric"}


@dataclass
class DataSource:
    """One request the dashboard makes to Odoo."""

    kind: str  # "pivot" or "chart"
    ref: str  # the pivot id or the figure id
    model: str
    groupby: list = field(default_factory=list)  # "field" or "field:granularity"
    measures: list = field(default_factory=list)  # field names, "__count" kept
    domain: list = field(default_factory=list)
    matched: list = field(default_factory=list)  # fields global filters match

    @property
    def fields(self):
        """Every field path the source names, without granularity, sorted."""
        names = {g.partition(":")[0] for g in self.groupby}
        names.update(m for m in self.measures if m != "__count")
        names.update(domain_fields(self.domain))
        names.update(self.matched)
        return sorted(names)


def domain_fields(domain):
    """The field paths of a domain given as a list (prefix notation)."""
    result = []
    for leaf in domain or []:
        if isinstance(leaf, list | tuple) and len(leaf) == 3:
            result.append(leaf[0])
    return result


def _matching(field_matching):
    return sorted(m["chain"] for m in (field_matching or {}).values() if m.get("chain"))


def _groupby_name(dim):
    name = dim["fieldName"]
    return f"{name}:{dim['granularity']}" if dim.get("granularity") else name


def charts(data):
    """The chart figures of every sheet, as (sheet, figure) pairs."""
    for sheet in data.get("sheets", []):
        for figure in sheet.get("figures", []):
            if figure.get("tag") == "chart":
                yield sheet, figure


def data_sources(data):
    """What the dashboard reads from Odoo: its pivots and its Odoo charts."""
    sources = []
    for pid, pivot in sorted(data.get("pivots", {}).items()):
        sources.append(
            DataSource(
                kind="pivot",
                ref=pid,
                model=pivot["model"],
                groupby=[_groupby_name(d) for d in pivot["rows"] + pivot["columns"]],
                measures=[m["fieldName"] for m in pivot["measures"]],
                domain=pivot.get("domain") or [],
                matched=_matching(pivot.get("fieldMatching")),
            )
        )
    for _sheet, figure in charts(data):
        chart = figure["data"]
        meta = chart.get("metaData")
        if not meta:
            continue
        sources.append(
            DataSource(
                kind="chart",
                ref=figure["id"],
                model=meta["resModel"],
                groupby=list(meta.get("groupBy", [])),
                measures=[meta["measure"]],
                domain=chart.get("searchParams", {}).get("domain") or [],
                matched=_matching(chart.get("fieldMatching")),
            )
        )
    return sources


def _cell_text(cell):
    # A cell was an object before saas-18.1, a string since.
    return cell if isinstance(cell, str) else (cell or {}).get("content", "")


def terms(data):
    """The texts Odoo extracts for translation, as a sorted list."""
    found = set()
    for sheet in data.get("sheets", []):
        for cell in sheet.get("cells", {}).values():
            content = _cell_text(cell)
            if content.startswith("="):
                found.update(t.replace('\\"', '"') for t in T_CALL_RE.findall(content))
            else:
                link = MARKDOWN_LINK_RE.fullmatch(content)
                if link:
                    found.add(link[1])
        for _sheet, figure in charts({"sheets": [sheet]}):
            chart = figure["data"]
            title = chart.get("title")
            if isinstance(title, str):
                found.add(title)
            elif title and "text" in title:
                found.add(title["text"])
            for axis in chart.get("axesDesign", {}).values():
                found.add(axis.get("title", {}).get("text", ""))
            for key in ("baselineDescr", "keyDescr"):
                if "text" in chart.get(key, {}):
                    found.add(chart[key]["text"])
    found.update(f["label"] for f in data.get("globalFilters", []))
    return sorted(t for t in found if any(c.isalpha() for c in t))


def _col_index(letters):
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _cell_in(ref, sheet):
    match = CELL_RE.match(ref.replace("$", ""))
    if not match:
        return False
    col, row = _col_index(match[1]), int(match[2]) - 1
    return col < sheet["colNumber"] and row < sheet["rowNumber"]


def _range_ok(ref, sheet):
    match = RANGE_RE.match(ref)
    return bool(match) and all(
        _cell_in(part, sheet) for part in match.groups() if part is not None
    )


def _check_sheet(sheet, data, names, problems):  # noqa: C901
    where = f"sheet {sheet.get('name')!r}"
    missing = SHEET_KEYS - set(sheet)
    if missing:
        problems.append(f"{where}: missing {sorted(missing)}")
        return
    for ref, cell in sheet["cells"].items():
        if not _cell_in(ref, sheet):
            problems.append(f"{where}: cell {ref} is outside the sheet")
        content = _cell_text(cell)
        if not isinstance(content, str):
            problems.append(f"{where}: cell {ref} is not text")
            continue
        if content.startswith("="):
            if content.count("(") != content.count(")"):
                problems.append(f"{where}: {ref} has unbalanced parentheses")
            if content.count('"') % 2:
                problems.append(f"{where}: {ref} has an unclosed string")
            for _fn, pid in PIVOT_CALL_RE.findall(content):
                if pid not in data.get("pivots", {}):
                    problems.append(f"{where}: {ref} reads unknown pivot {pid}")
            for quoted, bare, target in SHEET_REF_RE.findall(content):
                other = names.get(quoted or bare)
                if other is None:
                    problems.append(
                        f"{where}: {ref} reads unknown sheet {quoted or bare}"
                    )
                elif not _cell_in(target, other):
                    problems.append(f"{where}: {ref} reads {target} outside its sheet")
    for key, table in (
        ("styles", "styles"),
        ("borders", "borders"),
        ("formats", "formats"),
    ):
        for ref, value in sheet[key].items():
            if not _range_ok(ref, sheet):
                problems.append(f"{where}: {key} range {ref} is invalid")
            if str(value) not in data.get(table, {}):
                problems.append(f"{where}: {key} {ref} uses unknown id {value}")
    for merge in sheet["merges"]:
        if not _range_ok(merge, sheet) or ":" not in merge:
            problems.append(f"{where}: merge {merge} is invalid")
    cf_ids = [cf.get("id") for cf in sheet["conditionalFormats"]]
    if len(cf_ids) != len(set(cf_ids)):
        problems.append(f"{where}: duplicate conditional format ids")
    for cf in sheet["conditionalFormats"]:
        rule = cf.get("rule", {})
        if rule.get("type") not in CF_RULES:
            problems.append(f"{where}: conditional format {cf.get('id')} rule unknown")
        if not cf.get("ranges") or not all(_range_ok(r, sheet) for r in cf["ranges"]):
            problems.append(f"{where}: conditional format {cf.get('id')} range invalid")
        if rule.get("type") == "ColorScaleRule":
            for point in ("minimum", "maximum"):
                threshold = rule.get(point) or {}
                if threshold.get("type") not in {
                    "value",
                    "number",
                    "percentage",
                    "percentile",
                    "formula",
                }:
                    problems.append(f"{where}: colour scale {point} type invalid")
                if not isinstance(threshold.get("color"), int):
                    problems.append(
                        f"{where}: colour scale {point} colour not a number"
                    )


def _check_figure(sheet, figure, names, problems):
    where = f"figure {figure.get('id')}"
    for key in ("id", "tag", "col", "row", "offset", "width", "height", "data"):
        if key not in figure:
            problems.append(f"{where}: missing {key}")
            return
    if figure["col"] >= sheet["colNumber"] or figure["row"] >= sheet["rowNumber"]:
        problems.append(f"{where}: anchored outside the sheet")
    if figure["tag"] != "chart":
        return
    chart = figure["data"]
    if chart.get("chartId") != figure["id"]:
        problems.append(f"{where}: chartId differs from the figure id")
    if chart.get("type") not in CHART_TYPES:
        problems.append(f"{where}: unknown chart type {chart.get('type')!r}")
    if chart.get("type") == "scorecard":
        _check_scorecard(where, chart, names, problems)
    if chart.get("type", "").startswith("odoo_"):
        _check_odoo_chart(where, chart, problems)


def _check_scorecard(where, chart, names, problems):
    if "keyValue" not in chart:
        problems.append(f"{where}: scorecard without keyValue")
    for key in ("keyValue", "baseline"):
        ref = chart.get(key)
        if ref is None:
            continue
        target, _sep, cell = ref.rpartition("!")
        if target and target not in names:
            problems.append(f"{where}: {key} reads unknown sheet {target}")
        elif target and not _cell_in(cell, names[target]):
            problems.append(f"{where}: {key} {ref} is not a cell of its sheet")


def _check_odoo_chart(where, chart, problems):
    meta = chart.get("metaData") or {}
    for key in ("resModel", "groupBy", "measure"):
        if not meta.get(key):
            problems.append(f"{where}: metaData lacks {key}")
    search = chart.get("searchParams") or {}
    for key in ("domain", "context", "groupBy", "orderBy"):
        if key not in search:
            problems.append(f"{where}: searchParams lacks {key}")


def _check_pivots(data, problems):
    pivots = data.get("pivots", {})
    for pid, pivot in pivots.items():
        where = f"pivot {pid}"
        if pivot.get("id") != pid or pivot.get("formulaId") != pid:
            problems.append(f"{where}: id/formulaId differ from its key")
        if pivot.get("type") != "ODOO":
            problems.append(f"{where}: type is not ODOO")
        if not pivot.get("model"):
            problems.append(f"{where}: no model")
        if not pivot.get("measures"):
            problems.append(f"{where}: no measure")
        for dim in pivot.get("rows", []) + pivot.get("columns", []):
            if not dim.get("fieldName"):
                problems.append(f"{where}: a dimension without fieldName")
        for measure in pivot.get("measures", []):
            if not measure.get("id") or not measure.get("fieldName"):
                problems.append(f"{where}: a measure without id or fieldName")
        if not isinstance(pivot.get("domain", []), list):
            problems.append(f"{where}: domain is not a list")
    numeric = [int(p) for p in pivots if p.isdigit()]
    if numeric and data.get("pivotNextId", 0) <= max(numeric):
        problems.append("pivotNextId is not above every pivot id")


def check_spreadsheet(data):
    """Problems of dashboard data, as a list of strings (empty: well formed)."""
    problems = []
    if data.get("version") != VERSION:
        problems.append(f"version {data.get('version')!r} != {VERSION}")
    sheets = data.get("sheets") or []
    if not sheets:
        return [*problems, "no sheet"]
    names = {s.get("name"): s for s in sheets}
    if len(names) != len(sheets) or len({s.get("id") for s in sheets}) != len(sheets):
        problems.append("sheet names or ids are not unique")
    if not any(s.get("isVisible", True) for s in sheets):
        problems.append("no visible sheet")
    figure_ids = []
    for sheet in sheets:
        _check_sheet(sheet, data, names, problems)
        for figure in sheet.get("figures", []):
            figure_ids.append(figure.get("id"))
            _check_figure(sheet, figure, names, problems)
    if len(figure_ids) != len(set(figure_ids)):
        problems.append("figure ids are not unique")
    _check_pivots(data, problems)
    filter_ids = set()
    for gfilter in data.get("globalFilters", []):
        filter_ids.add(gfilter.get("id"))
        if gfilter.get("type") not in FILTER_TYPES or not gfilter.get("label"):
            problems.append(f"global filter {gfilter.get('id')}: bad type or label")
    matchings = [p.get("fieldMatching", {}) for p in data.get("pivots", {}).values()]
    matchings += [f["data"].get("fieldMatching", {}) for _s, f in charts(data)]
    for matching in matchings:
        for fid in matching:
            if fid not in filter_ids:
                problems.append(f"field matching of unknown global filter {fid}")
    for fid in data.get("chartOdooMenusReferences", {}):
        if fid not in figure_ids:
            problems.append(f"menu reference of unknown figure {fid}")
    return problems
