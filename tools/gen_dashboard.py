#!/usr/bin/env python3
# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generate the Customer Relations dashboard of ``spreadsheet_dashboard``.

The dashboard is o-spreadsheet data (JSON) that Odoo loads into a
``spreadsheet.dashboard`` record (``data/crm_relation_dashboard_data.xml``).
It is written by this script, never by hand, and checked in:

    python tools/gen_dashboard.py          # (re)write the JSON
    python tools/gen_dashboard.py --check  # exit 1 if the file is not up to date

The output is deterministic (fixed ids, sorted nothing at random, no date).
Every text users read is a ``_t("...")`` formula, a chart title or a global
filter label: Odoo's translation export (``extract_spreadsheet_terms``) picks
them up from any ``*_dashboard.json`` under ``data/``, and the dashboard
translates them at run time in the ``crm_relation`` namespace, from the
``#. odoo-javascript`` entries of ``i18n/*.po``.
"""

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "crm_relation" / "data" / "files" / "crm_relation_dashboard.json"

# The o-spreadsheet data version Odoo 19's own dashboards are saved in.
VERSION = "18.5.10"

DASH = "crm_relation_dashboard"
DATA = "crm_relation_dashboard_data"
PERIOD_FILTER = "crm_relation_period"

CUSTOMERS = [["customer_rank", ">", 0]]
SCORED = [*CUSTOMERS, ["relation_tier_id", "!=", False]]
CONFIRMED_SALES = [["state", "=", "sale"]]

TEAL = "#01666B"
GREY = "#434343"
BLUE_BG = "#EFF6FF"
ORANGE_BG = "#FFF7ED"
RED_BG = "#FEF2F2"
GREEN_BG = "#F0FDF4"
# Colour scale of the heat map: light to mid teal (the counts stay readable).
SCALE_MIN = 0xEFF7F7
SCALE_MAX = 0x5FB3B3

# Pivots: (id, name, model, domain, rows, columns, measures, filtered by period)
PIVOTS = [
    (
        "1",
        "R x F",
        "res.partner",
        SCORED,
        ["rfm_r_score"],
        ["rfm_f_score"],
        ["__count"],
        False,
    ),
    (
        "2",
        "At risk",
        "res.partner",
        [*CUSTOMERS, ["relation_churn_at_risk", "=", True]],
        [],
        [],
        ["__count"],
        False,
    ),
    (
        "3",
        "Churn by month",
        "crm.relation.churn.report",
        [],
        ["date:month"],
        [],
        ["customers", "churned", "churn_rate"],
        True,
    ),
    (
        "4",
        "Win-back by state",
        "crm.relation.winback",
        [],
        ["state"],
        [],
        ["__count"],
        False,
    ),
    (
        "5",
        "Margin, all customers",
        "crm.relation.pareto.report",
        [],
        [],
        [],
        ["margin"],
        False,
    ),
    (
        "6",
        "Margin, top 20%",
        "crm.relation.pareto.report",
        [["is_top20", "=", True]],
        [],
        [],
        ["margin"],
        False,
    ),
]
PIVOT_ID = {name: pid for pid, name, *_rest in PIVOTS}


def _t(text):
    return f'=_t("{text}")'


def _groupby(spec):
    """``date:month`` -> a pivot dimension with its granularity."""
    field, _sep, granularity = spec.partition(":")
    dim = {"fieldName": field}
    if granularity:
        dim.update(granularity=granularity, order="desc")
    return dim


def _period_matching(chain, kind):
    return {PERIOD_FILTER: {"chain": chain, "type": kind, "offset": 0}}


def pivots():
    result = {}
    for pid, name, model, domain, rows, cols, measures, by_period in PIVOTS:
        result[pid] = {
            "type": "ODOO",
            "id": pid,
            "formulaId": pid,
            "name": name,
            "model": model,
            "domain": domain,
            "context": {},
            "rows": [_groupby(r) for r in rows],
            "columns": [_groupby(c) for c in cols],
            "measures": [{"id": m, "fieldName": m} for m in measures],
            "sortedColumn": None,
            "fieldMatching": _period_matching("date", "date") if by_period else {},
        }
    return result


def _scorecard(fid, title, cell, background, place):
    """A key figure; ``place`` 0-5: three a row, two rows."""
    return {
        "id": fid,
        "tag": "chart",
        "col": 0,
        "row": CARDS_ROW + 5 * (place // 3),
        "offset": {"x": (CARD_WIDTH + 12) * (place % 3), "y": 0},
        "width": CARD_WIDTH,
        "height": 100,
        "data": {
            "chartId": fid,
            "type": "scorecard",
            "title": {"text": title, "bold": True, "color": GREY},
            "keyValue": f"Data!{cell}",
            "background": background,
            "baselineMode": "text",
            "baselineColorUp": "#00A04A",
            "baselineColorDown": "#DC6965",
            "humanize": False,
        },
    }


def _odoo_chart(
    fid, kind, title, model, groupby, measure, domain, at, size, period=None
):
    # No axis titles: Odoo does not translate them, and the chart's title
    # says what is drawn.
    col, row = at
    data = {
        "chartId": fid,
        "type": f"odoo_{kind}",
        "title": {"text": title, "bold": True, "color": TEAL},
        "background": "#FFFFFF",
        "legendPosition": "top" if kind == "pie" else "none",
        "metaData": {
            "groupBy": groupby,
            "measure": measure,
            "order": None,
            "resModel": model,
            "mode": kind,
        },
        "searchParams": {
            "comparison": None,
            "context": {},
            "domain": domain,
            "groupBy": groupby,
            "orderBy": [],
        },
        "dataSets": [],
        "fieldMatching": _period_matching(*period) if period else {},
    }
    if kind in ("bar", "line"):
        data.update(verticalAxisPosition="left", stacked=False)
    if kind == "line":
        data.update(fillArea=True, cumulatedStart=False)
    return {
        "id": fid,
        "tag": "chart",
        "col": col,
        "row": row,
        "offset": {"x": 0, "y": 0},
        "width": size[0],
        "height": size[1],
        "data": data,
    }


# Layout (0-based rows; rows are 23 px, column A 140 px, B-L 90 px).
CARDS_ROW = 2  # two rows of three key figures
CARD_WIDTH = 366
CHARTS_ROW = 13  # tiers | win-back pipeline
GRID_ROW = 29  # section titles of the heat map | churn by month
BOTTOM_ROW = 47  # Pareto curve | monthly sales
HALF = (580, 330)


def figures():
    # Scorecards read the Data sheet's cells; charts read Odoo directly.
    return [
        _scorecard("crm_relation_at_risk", "At risk of churning", "B2", RED_BG, 0),
        _scorecard("crm_relation_churned", "Churned in the period", "B3", ORANGE_BG, 1),
        _scorecard(
            "crm_relation_churn_rate",
            "Average monthly churn rate (%)",
            "B4",
            ORANGE_BG,
            2,
        ),
        _scorecard(
            "crm_relation_winback_open", "Win-backs in progress", "B5", BLUE_BG, 3
        ),
        _scorecard("crm_relation_winback_won", "Customers won back", "B6", GREEN_BG, 4),
        _scorecard(
            "crm_relation_top20", "Top 20% share of margin (%)", "B8", BLUE_BG, 5
        ),
        _odoo_chart(
            "crm_relation_tiers",
            "pie",
            "Customers by tier",
            "res.partner",
            ["relation_tier_id"],
            "__count",
            SCORED,
            (0, CHARTS_ROW),
            HALF,
        ),
        _odoo_chart(
            "crm_relation_winback",
            "bar",
            "Win-back pipeline",
            "crm.relation.winback",
            ["state"],
            "__count",
            [],
            (6, CHARTS_ROW),
            HALF,
        ),
        _odoo_chart(
            "crm_relation_pareto",
            "line",
            "Pareto curve: cumulative share of margin",
            "crm.relation.pareto.report",
            ["rank"],
            "cumulative_share",
            [],
            (0, BOTTOM_ROW),
            HALF,
        ),
        _odoo_chart(
            "crm_relation_sales",
            "bar",
            "Confirmed sales by month",
            "sale.report",
            ["date:month"],
            "price_subtotal",
            CONFIRMED_SALES,
            (6, BOTTOM_ROW),
            HALF,
            period=("date", "datetime"),
        ),
    ]


# Which menu a click on a chart opens (Odoo's chartOdooMenusReferences).
MENUS = {
    "crm_relation_at_risk": "crm_relation.menu_crm_relation_churn_risk",
    "crm_relation_churned": "crm_relation.menu_crm_relation_churn_report",
    "crm_relation_churn_rate": "crm_relation.menu_crm_relation_churn_report",
    "crm_relation_winback_open": "crm_relation.menu_crm_relation_winback",
    "crm_relation_winback_won": "crm_relation.menu_crm_relation_winback",
    "crm_relation_top20": "crm_relation.menu_crm_relation_pareto",
    "crm_relation_tiers": "crm_relation.menu_crm_relation_tier_distribution",
    "crm_relation_winback": "crm_relation.menu_crm_relation_winback",
    "crm_relation_pareto": "crm_relation.menu_crm_relation_pareto",
    "crm_relation_sales": "crm_relation.menu_crm_relation_monthly_sales",
}

TITLE = GRID_ROW + 1  # 1-based row of the section titles
HEAT_TOP = GRID_ROW + 2  # 0-based row of the heat map's column titles
CHURN_TOP = GRID_ROW + 2


def dashboard_cells():
    heat = PIVOT_ID["R x F"]
    churn = PIVOT_ID["Churn by month"]
    cells = {
        "A1": _t("Customer Relations at a Glance"),
        f"A{TITLE}": _t("R × F heat map: customers by score"),
        f"G{TITLE}": _t("Customers and churn by month"),
        f"A{TITLE + 1}": _t(
            "Darker cells hold more customers; R 5 bought most recently."
        ),
        f"A{HEAT_TOP + 1}": _t("R score / F score"),
        f"G{CHURN_TOP + 1}": f"=PIVOT({churn}, 12, FALSE, FALSE)",
    }
    cols = "BCDEF"
    for f_score, col in enumerate(cols, start=1):
        cells[f"{col}{HEAT_TOP + 1}"] = f'="F " & {f_score}'
    for i, r_score in enumerate(range(5, 0, -1)):
        row = HEAT_TOP + 2 + i
        cells[f"A{row}"] = f'="R " & {r_score}'
        for f_score, col in enumerate(cols, start=1):
            cells[f"{col}{row}"] = (
                f'=PIVOT.VALUE({heat},"__count","rfm_r_score",{r_score},'
                f'"rfm_f_score",{f_score})'
            )
    return cells


def data_cells():
    at_risk = PIVOT_ID["At risk"]
    churn = PIVOT_ID["Churn by month"]
    winback = PIVOT_ID["Win-back by state"]
    margin = PIVOT_ID["Margin, all customers"]
    top20 = PIVOT_ID["Margin, top 20%"]
    rows = [
        ("Key figure", "Current value"),
        ("At risk of churning", f'=PIVOT.VALUE({at_risk},"__count")'),
        ("Churned in the period", f'=PIVOT.VALUE({churn},"churned")'),
        ("Average monthly churn rate (%)", f'=PIVOT.VALUE({churn},"churn_rate")'),
        ("Win-backs in progress", f'=PIVOT.VALUE({winback},"__count","state","open")'),
        ("Customers won back", f'=PIVOT.VALUE({winback},"__count","state","won")'),
        ("Win-backs lost", f'=PIVOT.VALUE({winback},"__count","state","lost")'),
        (
            "Top 20% share of margin (%)",
            # No margin yet: empty; a missing model or field: an error, shown.
            f'=IF(PIVOT.VALUE({margin},"margin"),ROUND(PIVOT.VALUE({top20},"margin")'
            f'/PIVOT.VALUE({margin},"margin")*100,1),"")',
        ),
    ]
    cells = {}
    for i, (label, value) in enumerate(rows, start=1):
        cells[f"A{i}"] = _t(label)
        cells[f"B{i}"] = _t(value) if i == 1 else value
    return cells


def _sheet(sid, name, cells, **extra):
    sheet = {
        "id": sid,
        "name": name,
        "colNumber": 12,
        "rowNumber": 60,
        "rows": {},
        "cols": {},
        "merges": [],
        "cells": cells,
        "styles": {},
        "formats": {},
        "borders": {},
        "conditionalFormats": [],
        "dataValidationRules": [],
        "figures": [],
        "tables": [],
        "areGridLinesVisible": False,
        "isVisible": True,
        "headerGroups": {"ROW": [], "COL": []},
        "comments": {},
    }
    sheet.update(extra)
    return sheet


def build():
    heat_values = f"B{HEAT_TOP + 2}:F{HEAT_TOP + 6}"
    heat_titles = f"A{HEAT_TOP + 1}:F{HEAT_TOP + 1}"
    heat_rows = f"A{HEAT_TOP + 2}:A{HEAT_TOP + 6}"
    dashboard = _sheet(
        DASH,
        "Dashboard",
        dashboard_cells(),
        rowNumber=70,
        cols={"0": {"size": 140}} | {str(i): {"size": 90} for i in range(1, 12)},
        rows={"0": {"size": 40}, str(GRID_ROW): {"size": 35}},
        merges=[
            "A1:L1",
            f"A{TITLE}:F{TITLE}",
            f"G{TITLE}:L{TITLE}",
            f"A{TITLE + 1}:F{TITLE + 1}",
        ],
        styles={
            "A1": 1,
            f"A{TITLE}:L{TITLE}": 2,
            f"A{TITLE + 1}": 5,
            heat_titles: 3,
            heat_rows: 3,
            heat_values: 4,
        },
        borders={f"A{TITLE}:L{TITLE}": 1},
        conditionalFormats=[
            {
                "id": "crm_relation_heat",
                "ranges": [heat_values],
                "rule": {
                    "type": "ColorScaleRule",
                    "minimum": {"type": "value", "color": SCALE_MIN},
                    "maximum": {"type": "value", "color": SCALE_MAX},
                },
            }
        ],
        figures=figures(),
    )
    data_sheet = _sheet(
        DATA,
        "Data",
        data_cells(),
        colNumber=4,
        rowNumber=20,
        cols={"0": {"size": 260}, "1": {"size": 120}},
        styles={"A1:B1": 3},
        # Rates in %, one decimal (a ratio of amounts would show as money).
        formats={"B4": 1, "B8": 1},
        areGridLinesVisible=True,
        isVisible=False,
    )
    return {
        "version": VERSION,
        "sheets": [dashboard, data_sheet],
        "styles": {
            "1": {"bold": True, "fontSize": 18, "textColor": TEAL},
            "2": {
                "bold": True,
                "fontSize": 14,
                "textColor": TEAL,
                "verticalAlign": "middle",
            },
            "3": {"bold": True, "textColor": GREY, "align": "center"},
            "4": {"align": "center", "textColor": GREY},
            "5": {"italic": True, "textColor": GREY},
        },
        "formats": {"1": "0.0"},
        "borders": {"1": {"bottom": {"style": "thin", "color": "#CCCCCC"}}},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {},
        "pivots": pivots(),
        "pivotNextId": len(PIVOTS) + 1,
        "customTableStyles": {},
        "globalFilters": [
            {
                "id": PERIOD_FILTER,
                "type": "date",
                "label": "Sales and churn period",
                "defaultValue": "last_12_months",
            }
        ],
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": MENUS,
    }


def render():
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the checked-in file differs"
    )
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text("utf-8") if OUTPUT.exists() else None
        if current != text:
            print(
                f"{OUTPUT.relative_to(REPO)} is not up to date: "
                "run python tools/gen_dashboard.py",
                file=sys.stderr,
            )
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, "utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
