# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Customer Relations dashboard (spreadsheet_dashboard): every model and
field it reads exists and can be read by the addon's users, managers and
auditors; the Dashboard menu opens it; it loads, in Chinese too."""

import json

from odoo.tests import HttpCase, tagged
from odoo.tools import file_open
from odoo.tools.translate import code_translations

from odoo.addons.spreadsheet.utils.validate_data import fields_in_spreadsheet

from ..logic import dashboard as sheet
from .common import make_role_users

JSON_PATH = "crm_relation/data/files/crm_relation_dashboard.json"
# In the browser: wait until every data source answered, then report every
# cell that evaluates to an error, and the figures' count.
EVALUATE_JS = """
(async () => {
    const started = Date.now();
    const services = () => odoo.__WOWL_DEBUG__.root.env.services;
    const loaderOf = () => services().spreadsheet_dashboard_loader;
    // The loader comes with the spreadsheet bundle, loaded with the action.
    let dashboard;
    const active = () => loaderOf() && loaderOf().getActiveDashboard();
    while (!(dashboard = active()) || !dashboard.model) {
        if (Date.now() - started > 60000) {
            console.error("dashboard not loaded");
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const { waitForDataLoaded } = odoo.loader.modules.get("@spreadsheet/helpers/model");
    const { toXC } = odoo.loader.modules.get("@odoo/o-spreadsheet").helpers;
    const model = dashboard.model;
    await waitForDataLoaded(model);
    const errors = [];
    const values = {};
    for (const sheetId of model.getters.getSheetIds()) {
        const name = model.getters.getSheetName(sheetId);
        for (const position of model.getters.getEvaluatedCellsPositions(sheetId)) {
            const cell = model.getters.getEvaluatedCell(position);
            const ref = `${name}!${toXC(position.col, position.row)}`;
            values[ref] = cell.value;
            if (cell.type === "error") {
                errors.push(`${ref}: ${cell.value} ${cell.message || ""}`);
            }
        }
    }
    const figureList = model.getters.getFigures(model.getters.getSheetIds()[0]);
    for (const figure of figureList) {
        const chart = model.getters.getChart(figure.id);
        if (chart && chart.type.startsWith("odoo_")) {
            const source = model.getters.getChartDataSource(figure.id);
            if (!source.isValid()) {
                const reason = source._loadError && source._loadError.message;
                errors.push(`chart ${figure.id}: ${reason}`);
            }
        }
    }
    const figures = figureList.length;
    console.log("dashboard figures: " + figures);
    console.log("dashboard values: " + JSON.stringify(values));
    if (errors.length) {
        console.error("dashboard cells in error:\\n" + errors.join("\\n"));
    } else if (figures !== %(figures)d) {
        console.error("dashboard shows " + figures + " figures");
    } else {
        console.log("test successful");
    }
})();
"""
# A page for managers, and auditors: it shows the margins of the Pareto,
# which account managers (the user group) do not read.
ROLES = ("manager", "auditor")
NOT_SHOWN = ("user", "outsider")
FORMER_DASHBOARD_CHILDREN = (
    "menu_crm_relation_rfm_matrix",
    "menu_crm_relation_tier_distribution",
    "menu_crm_relation_tier_movement",
    "menu_crm_relation_at_risk",
    "menu_crm_relation_monthly_sales",
)


@tagged("post_install", "-at_install", "crm_relation")
class TestDashboard(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env)
        cls.dashboard = cls.env.ref("crm_relation.spreadsheet_dashboard_crm_relation")
        cls.data = json.loads(cls.dashboard.spreadsheet_data)
        cls.sources = sheet.data_sources(cls.data)

    def _field(self, model_name, path):
        """The last field of ``path`` on ``model_name``, or a problem."""
        Model = self.env[model_name]
        field = None
        for part in path.split("."):
            field = Model._fields.get(part)
            if field is None:
                return None, f"field {Model._name}.{part} does not exist"
            if field.relational:
                Model = self.env[field.comodel_name]
        return field, None

    def _source_problems(self, source):
        where = f"{source.kind} {source.ref} ({source.model})"
        if source.model not in self.env:
            return [f"{where}: model {source.model} does not exist"]
        problems = []
        for path in source.fields:
            field, problem = self._field(source.model, path)
            if problem:
                problems.append(f"{where}: {problem}")
        if problems:
            return problems
        Model = self.env[source.model]
        for spec in source.groupby:
            field = Model._fields[spec.partition(":")[0]]
            if not field._description_groupable(self.env):
                problems.append(f"{where}: cannot group by {spec}")
        for measure in source.measures:
            if measure != "__count" and not Model._fields[
                measure
            ]._description_aggregator(self.env):
                problems.append(f"{where}: {measure} has no aggregator")
        return problems

    def _aggregates(self, source):
        Model = self.env[source.model]
        return [
            m if m == "__count" else f"{m}:{Model._fields[m].aggregator}"
            for m in source.measures
        ]

    def test_record_holds_the_generated_json(self):
        with file_open(JSON_PATH) as handle:
            self.assertEqual(self.data, json.load(handle))
        self.assertEqual(sheet.check_spreadsheet(self.data), [])
        self.assertTrue(self.dashboard.is_published)
        self.assertEqual(
            self.dashboard.dashboard_group_id,
            self.env.ref("crm_relation.spreadsheet_dashboard_group_crm_relation"),
        )

    def test_odoo_validation_of_the_json(self):
        """Odoo's own check, run when the record is loaded in test mode: every
        model, field and menu the JSON names exists."""
        self.dashboard._check_spreadsheet_data()

    def test_sources_cover_what_odoo_sees(self):
        """The role checks below read every field Odoo finds in the JSON."""
        ours = {}
        for source in self.sources:
            ours.setdefault(source.model, set()).update(source.fields)
        for model, chains in fields_in_spreadsheet(self.data).items():
            self.assertLessEqual(set(chains), ours.get(model, set()), model)

    def test_every_model_and_field_exists(self):
        """Fails, naming them, when a model or field the JSON reads is missing
        (or cannot be grouped by or summed as the dashboard does)."""
        self.assertGreaterEqual(len(self.sources), 10)
        problems = [p for s in self.sources for p in self._source_problems(s)]
        self.assertFalse(problems, "\n".join(problems))

    def test_every_source_reads_as_each_role(self):
        """Each role has read access to each model and field, and the very
        grouping the dashboard asks for runs as that user."""
        problems = []
        for source in self.sources:
            if self._source_problems(source):
                problems.append(f"{source.kind} {source.ref}: {source.model} broken")
                continue
            for role in ROLES:
                Model = self.env[source.model].with_user(self.users[role])
                where = f"{role}: {source.kind} {source.ref} ({source.model})"
                if not Model.has_access("read"):
                    problems.append(f"{where}: no read access")
                    continue
                for path in source.fields:
                    name = path.split(".")[0]
                    if not Model._has_field_access(Model._fields[name], "read"):
                        problems.append(f"{where}: cannot read {name}")
                try:
                    with self.env.cr.savepoint():
                        Model.formatted_read_group(
                            source.domain, source.groupby, self._aggregates(source)
                        )
                except Exception as exc:
                    problems.append(f"{where}: {type(exc).__name__}: {exc}")
        self.assertFalse(problems, "\n".join(problems))

    def test_chart_menus_exist(self):
        """A click on a chart opens the menu of the view behind it."""
        missing = sorted(
            xmlid
            for xmlid in set(self.data["chartOdooMenusReferences"].values())
            if not self.env.ref(xmlid, raise_if_not_found=False)
        )
        self.assertFalse(missing, "menus the charts open do not exist")

    def test_menu_opens_the_dashboard(self):
        menu = self.env.ref("crm_relation.menu_crm_relation_dashboard")
        action = menu.action
        self.assertEqual(action._name, "ir.actions.client")
        self.assertEqual(action.tag, "action_spreadsheet_dashboard")
        self.assertEqual(action.params, {"dashboard_id": self.dashboard.id})
        self.assertFalse(menu.child_id, "the Dashboard menu is one page")
        reports = self.env.ref("crm_relation.menu_crm_relation_reports")
        for xmlid in FORMER_DASHBOARD_CHILDREN:
            self.assertEqual(self.env.ref(f"crm_relation.{xmlid}").parent_id, reports)
        Menu = self.env["ir.ui.menu"]
        for role in ROLES:
            visible = Menu.with_user(self.users[role])._visible_menu_ids()
            self.assertIn(menu.id, visible, role)
        for role in NOT_SHOWN:
            hidden = Menu.with_user(self.users[role])._visible_menu_ids()
            self.assertNotIn(menu.id, hidden, role)

    def test_dashboard_loads_for_each_role(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        for role in ROLES:
            user = self.users[role]
            self.assertIn(self.dashboard, Dashboard.with_user(user).search([]), role)
            groups = self.env["spreadsheet.dashboard.group"].with_user(user).search([])
            self.assertIn(self.dashboard.dashboard_group_id, groups, role)
            payload = json.loads(
                self.dashboard.with_user(user)._get_serialized_readonly_dashboard()
            )
            self.assertEqual(payload["translation_namespace"], "crm_relation")
            snapshot = payload["snapshot"]
            self.assertEqual(snapshot["sheets"][0]["name"], "Dashboard")
            self.assertEqual(snapshot["pivots"], self.data["pivots"])
        for role in NOT_SHOWN:
            found = Dashboard.with_user(self.users[role]).search([])
            self.assertNotIn(self.dashboard, found, role)

    def test_dashboard_in_chinese(self):
        """The texts inside the JSON are translated at run time from the
        module's web translations; the record's name by Odoo's fields."""
        messages = {
            m["id"]: m["string"]
            for m in code_translations.get_web_translations("crm_relation", "zh_CN")[
                "messages"
            ]
        }
        terms = sheet.terms(self.data)
        self.assertFalse([t for t in terms if not messages.get(t)])
        self.assertEqual(messages["Win-back pipeline"], "客户挽回进展")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "crm_relation")]
        )._update_translations(["zh_CN"])
        zh = self.dashboard.with_context(lang="zh_CN")
        self.assertEqual(zh.name, "客户关系一览")
        self.assertEqual(zh.dashboard_group_id.name, "客户关系")
        action = self.env.ref("crm_relation.action_crm_relation_dashboard_page")
        self.assertEqual(action.with_context(lang="zh_CN").name, "客户关系仪表板")

    def test_dashboard_evaluates_in_the_browser(self):
        """The auditor opens Dashboard: every data source answers and no cell
        of the page evaluates to an error (a missing model, field or access
        right would)."""
        figures = len(self.data["sheets"][0]["figures"])
        self.browser_js(
            "/odoo/action-crm_relation.action_crm_relation_dashboard_page",
            EVALUATE_JS % {"figures": figures},
            ready="odoo.isReady",
            login="t_crm_auditor",
            timeout=180,
        )
