"""The static checkers catch what they claim to catch (so they can fail)."""

import shutil

import addon_checks as checks
import pytest
from paths import ADDON


@pytest.fixture
def addon(tmp_path):
    copy = tmp_path / "crm_relation"
    shutil.copytree(ADDON, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _edit(path, old, new):
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_clean_copy_passes(addon):
    assert checks.check_manifest(addon) == []
    assert checks.check_references(addon) == []
    assert checks.check_access_csv(addon) == []


def test_bad_license_and_missing_dependency(addon):
    _edit(addon / "__manifest__.py", '"license": "LGPL-3"', '"license": "AGPL-3"')
    _edit(addon / "__manifest__.py", '"helpdesk_mgmt",', "")
    problems = "\n".join(checks.check_manifest(addon))
    assert "license 'AGPL-3' != LGPL-3" in problems
    assert "depends lacks ['helpdesk_mgmt']" in problems


def test_missing_icon(addon):
    (addon / "static" / "description" / "icon.png").unlink()
    assert checks.check_web_icons(addon) == [
        "views/crm_relation_menus.xml: web_icon static/description/icon.png missing"
    ]


def test_unknown_action_and_group(addon):
    menus = addon / "views" / "crm_relation_menus.xml"
    _edit(menus, 'action="action_crm_relation_dashboard"', 'action="action_missing"')
    _edit(menus, 'groups="group_crm_relation_manager"', 'groups="nomodule.group_x"')
    problems = "\n".join(checks.check_references(addon))
    assert "action_missing is not defined" in problems
    assert "nomodule.group_x belongs to nomodule" in problems


def test_reference_before_definition(addon):
    manifest = addon / "__manifest__.py"
    _edit(manifest, '        "report/sale_report_views.xml",\n', "")
    _edit(
        manifest,
        '"views/crm_relation_menus.xml",',
        '"views/crm_relation_menus.xml",\n"report/sale_report_views.xml",',
    )
    problems = "\n".join(checks.check_references(addon))
    assert "action_crm_relation_dashboard is not defined (before use)" in problems


def test_field_ids_of_own_models(addon):
    data = addon / "data" / "crm_relation_visit_data.xml"
    _edit(
        data,
        "ref('field_crm_relation_visit__outcome')",
        "ref('field_crm_relation_visit__no_such_field')",
    )
    problems = "\n".join(checks.check_references(addon))
    assert "field_crm_relation_visit__no_such_field is not defined" in problems
    assert "field_crm_relation_visit__partner_id" not in problems


def test_access_csv_unknown_model_and_group(addon):
    csv_path = addon / "security" / "ir.model.access.csv"
    with open(csv_path, "a", encoding="utf-8") as fh:
        fh.write("access_x,x,model_no_such_model,group_crm_relation_user,1,0,0,0\n")
        fh.write("access_y,y,sale.model_sale_order,group_nobody,1,0,0,0\n")
        fh.write("access_x,z,sale.model_sale_order,,1,2,0,0\n")
    problems = "\n".join(checks.check_access_csv(addon))
    assert "unknown model model_no_such_model" in problems
    assert "unknown group group_nobody" in problems
    assert "duplicate id access_x" in problems
    assert "no group" in problems
    assert "permission '2'" in problems


def test_domain_importing_odoo_is_caught(tmp_path):
    (tmp_path / "bad.py").write_text("from odoo import fields\nimport odoo.tools\n")
    assert len(checks.check_pure_logic(tmp_path)) == 2


def test_two_models_in_a_file_and_a_misnamed_file_are_caught(tmp_path):
    (tmp_path / "two.py").write_text(
        "class A:\n    _name = 'x.a'\n\nclass B:\n    _name = 'x.b'\n"
        "    _inherit = ['mail.thread']\n"
    )
    (tmp_path / "wrong.py").write_text("class C:\n    _name = 'x.c'\n")
    (tmp_path / "res_partner.py").write_text(
        "class P:\n    _inherit = 'res.partner'\n\n"
        "class T:\n    _name = 'helpdesk.ticket'\n    _inherit = ['helpdesk.ticket']\n"
    )
    (tmp_path / "x_d.py").write_text("class D:\n    _name = 'x.d'\n")
    problems = checks.check_one_model_per_file(tmp_path)
    assert problems == [
        "two.py: defines 2 models: x.a, x.b",
        "wrong.py: defines x.c, so is named x_c.py",
    ]


def _view(model, inherit=False):
    parent = '<field name="inherit_id" ref="base.view_x" />' if inherit else ""
    return (
        f'<record id="{model.replace(".", "_")}_{int(inherit)}" model="ir.ui.view">'
        f'<field name="model">{model}</field>{parent}'
        '<field name="arch" type="xml"><form /></field></record>'
    )


def test_views_of_three_models_in_a_file_are_caught(tmp_path):
    for folder in ("views", "wizards", "report"):
        (tmp_path / folder).mkdir()
    three = _view("x.a") + _view("res.partner", inherit=True) + _view("x.b")
    (tmp_path / "views" / "x_a_views.xml").write_text(f"<odoo>{three}</odoo>")
    # Two models, several views each, actions and menus of others: allowed.
    two = (
        _view("x.c")
        + _view("x.c", inherit=True)
        + _view("x.d")
        + '<record id="act" model="ir.actions.act_window">'
        '<field name="res_model">x.e</field></record>'
        '<menuitem id="menu" name="M" action="act" />'
    )
    (tmp_path / "views" / "x_c_views.xml").write_text(f"<odoo>{two}</odoo>")
    (tmp_path / "wizards" / "x_w_views.xml").write_text(
        f"<odoo>{_view('x.w') + _view('x.v') + _view('x.u')}</odoo>"
    )
    (tmp_path / "report" / "x_r_views.xml").write_text(f"<odoo>{_view('x.r')}</odoo>")
    assert checks.check_view_models_per_file(tmp_path) == [
        "views/x_a_views.xml: views of 3 models (x.a, res.partner, x.b), at most 2",
        "wizards/x_w_views.xml: views of 3 models (x.w, x.v, x.u), at most 2",
    ]


def test_clean_copy_has_no_view_file_of_three_models(addon):
    assert checks.check_view_models_per_file(addon) == []
    # The visit plans' and weeks' views moved into the visits' file.
    visit = addon / "views" / "crm_relation_visit_views.xml"
    for other in (
        "crm_relation_visit_plan_views.xml",
        "crm_relation_visit_week_views.xml",
    ):
        text = (addon / "views" / other).read_text("utf-8")
        records = text.split("<odoo>", 1)[1].rsplit("</odoo>", 1)[0]
        _edit(visit, "</odoo>", records + "</odoo>")
    [problem] = checks.check_view_models_per_file(addon)
    assert problem.startswith("views/crm_relation_visit_views.xml: views of ")
    assert "crm.relation.visit.plan, crm.relation.visit.week), at most 2" in problem


def test_cron_in_a_views_file_and_report_in_data_are_caught(addon):
    assert checks.check_records_in_their_folders(addon) == []
    cron = (
        '<record id="ir_cron_x" model="ir.cron"><field name="name">X</field></record>'
    )
    report = '<record id="report_x" model="ir.actions.report" />'
    _edit(addon / "views" / "crm_relation_audit_views.xml", "</odoo>", cron + "</odoo>")
    _edit(addon / "data" / "crm_relation_vip_data.xml", "</odoo>", report + "</odoo>")
    problems = "\n".join(checks.check_records_in_their_folders(addon))
    assert "views/crm_relation_audit_views.xml:" in problems
    assert "ir.cron ir_cron_x belongs in data/" in problems
    assert "data/crm_relation_vip_data.xml:" in problems
    assert "ir.actions.report report_x belongs in report/" in problems
    assert len(checks.check_records_in_their_folders(addon)) == 2


def test_incomplete_po_is_caught(tmp_path):
    po = tmp_path / "zh_CN.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_CN\\n"\n"Content-Type: text/plain; '
        'charset=UTF-8\\n"\n\nmsgid "Dashboard"\nmsgstr ""\n\n#, fuzzy\n'
        'msgid "VIP"\nmsgstr "贵宾"\n\n'
        'msgid "Order %(order)s"\nmsgstr "订单 %(name)s"\n',
        "utf-8",
    )
    problems = "\n".join(checks.check_po(po))
    assert "untranslated 'Dashboard'" in problems
    assert "fuzzy 'VIP'" in problems
    assert "placeholders of 'Order %(order)s' differ" in problems


def test_seed_in_user_facing_strings_is_caught(tmp_path):
    addon = tmp_path / "x_addon"
    for folder in ("i18n", "models", "views", "data", "tests"):
        (addon / folder).mkdir(parents=True)
    (addon / "i18n" / "x_addon.pot").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Minimum (seed: 3 orders)"\nmsgstr ""\n\n'
        'msgid "Tiers"\nmsgstr ""\n',
        "utf-8",
    )
    (addon / "i18n" / "zh_CN.po").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Tiers"\nmsgstr "种子等级"\n', "utf-8"
    )
    (addon / "models" / "tier.py").write_text(
        "# The seed's bands (a comment: fine).\n"
        "class Tier:\n"
        '    """Tiers of the seed (a docstring: fine)."""\n'
        '    _description = "Seed Tier"\n'
        '    name = fields.Char("Name", help="As the seed says")\n'
        "    kind = fields.Selection([('a', 'Seeded'), ('b', 'B')], string='Kind')\n"
        "    def f(self):\n"
        '        raise UserError(_("Refused by seed 003"))\n'
        '        return "seed"  # not shown to users\n',
        "utf-8",
    )
    (addon / "tests" / "test_x.py").write_text('x = fields.Char(help="seed")\n')
    (addon / "views" / "v.xml").write_text(
        "<odoo><!-- seed 000: a comment -->\n"
        '<record id="v" model="ir.ui.view"><field name="arch" type="xml">\n'
        '<form><field name="a" string="Seed value" />\n'
        "<div>The seed's example</div></form></field></record></odoo>\n",
        "utf-8",
    )
    (addon / "data" / "d.xml").write_text(
        '<odoo><record id="t" model="mail.activity.type">\n'
        '<field name="summary">Call, per the seed</field>\n'
        '<field name="code">model.seed()</field></record></odoo>\n',
        "utf-8",
    )
    problems = checks.check_no_seed(addon)
    text = "\n".join(problems)
    for expected in (
        "i18n/x_addon.pot:4: 'Minimum (seed: 3 orders)'",
        "i18n/zh_CN.po:4: '种子等级'",
        "models/tier.py:4: 'Seed Tier'",
        "models/tier.py:5: 'As the seed says'",
        "models/tier.py:6: 'Seeded'",
        "models/tier.py:8: 'Refused by seed 003'",
        "views/v.xml:3: 'Seed value'",
        'views/v.xml:4: "The seed\'s example"',
        "data/d.xml:2: 'Call, per the seed'",
    ):
        assert expected in text, f"{expected} not in {problems}"
    # Comments, docstrings, plain strings, tests and code fields are not UI.
    assert len(problems) == 9, problems


def test_cursor_internals_and_blanket_flushes_are_found(addon):
    assert checks.check_sql_idioms(addon) == []
    engine = addon / "models" / "crm_relation_rfm_engine.py"
    text = engine.read_text("utf-8")
    engine.write_text(
        text
        + "\n\ndef _bad(env):\n"
        + "    env.flush_all()\n"
        + "    return env.cr._cnx.cursor(name='x')\n",
        "utf-8",
    )
    # A test may flush everything: tests are not the addon's code paths.
    (addon / "tests" / "test_flush.py").write_text(
        "def f(env):\n    env.flush_all()\n", "utf-8"
    )
    problems = checks.check_sql_idioms(addon)
    assert len(problems) == 2, problems
    assert "flush_all() where flush_model serves" in problems[0]
    assert "private _cnx" in problems[1]
