"""Static checks of an Odoo addon that need no Odoo: used by tests/static.

Each ``check_*`` function returns a list of problems (strings); an empty list
means the check passed. They read files only.
"""

import ast
import csv
import re
from pathlib import Path

from lxml import etree

REQUIRED_DEPENDS = {"sale_management", "account", "stock", "mail", "helpdesk_mgmt"}
# Modules the addon reaches through its dependencies: an xmlid of one of
# these may be referenced. Whether it exists is checked by installing (layer 2).
REACHABLE_MODULES = REQUIRED_DEPENDS | {
    "base",
    "web",
    "mail",
    "sale",
    "sales_team",
    "product",
    "uom",
    "portal",
    "analytic",
    "payment",
    "digest",
    "resource",
    "calendar",
    "utm",
    "base_setup",
    "stock_account",
    "sale_stock",
    "account_payment",
    "loyalty",
    "sale_loyalty",
}
CSV_HEADER = [
    "id",
    "name",
    "model_id:id",
    "group_id:id",
    "perm_read",
    "perm_write",
    "perm_create",
    "perm_unlink",
]
# Attributes whose value is one xmlid, or a comma-separated list (groups).
REF_ATTRS = {"ref", "action", "parent", "inherit_id"}
EVAL_REF_RE = re.compile(r"""ref\(\s*['"]([\w.]+)['"]\s*\)""")
PERCENT_REF_RE = re.compile(r"%\(([\w.]+)\)d")
PLACEHOLDER_RE = re.compile(r"%\(\w+\)[sd]|%[sd]")


def read_manifest(addon):
    return ast.literal_eval((Path(addon) / "__manifest__.py").read_text("utf-8"))


def check_manifest(addon):
    """What the project asks of its manifest beyond pylint-odoo and the OCA
    hooks (run by pre-commit: version format, required keys, data files
    that exist and are all loaded)."""
    addon = Path(addon)
    problems = []
    try:
        manifest = read_manifest(addon)
    except (SyntaxError, ValueError) as exc:
        return [f"__manifest__.py is not a literal dict: {exc}"]
    if not manifest.get("name"):
        problems.append("__manifest__.py: missing key 'name'")
    if manifest.get("license") != "LGPL-3":
        problems.append(
            f"__manifest__.py: license {manifest.get('license')!r} != LGPL-3"
        )
    missing = REQUIRED_DEPENDS - set(manifest.get("depends", []))
    if missing:
        problems.append(f"__manifest__.py: depends lacks {sorted(missing)}")
    return problems


def _parse(path):
    return etree.parse(str(path), etree.XMLParser(remove_comments=True))


def _xml_ids(tree):
    ids = set()
    for node in tree.iter():
        if node.tag in ("record", "menuitem", "template", "report") and node.get("id"):
            ids.add(node.get("id"))
    return ids


def _xml_refs(tree):
    """Yield (line, xmlid) for each xmlid an XML file references."""
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        for attr in REF_ATTRS:
            if node.get(attr):
                if attr == "ref" and node.tag == "field" and node.get("name") == "arch":
                    continue
                yield node.sourceline, node.get(attr)
        if node.get("groups"):
            for group in node.get("groups").split(","):
                yield node.sourceline, group.strip().lstrip("!")
        for value in (
            node.get("eval"),
            node.get("name") if node.tag == "button" else None,
        ):
            if value:
                for ref in EVAL_REF_RE.findall(value) + PERCENT_REF_RE.findall(value):
                    yield node.sourceline, ref
        if (
            node.tag == "field"
            and node.text
            and node.get("name") in ("context", "domain")
        ):
            for ref in PERCENT_REF_RE.findall(node.text):
                yield node.sourceline, ref


def check_web_icons(addon):
    """Every menu icon points to a file the addon ships."""
    addon = Path(addon)
    problems = []
    for path in sorted(addon.rglob("*.xml")):
        for node in _parse(path).iter("menuitem"):
            icon = node.get("web_icon")
            if not icon:
                continue
            module, _, rel = icon.partition(",")
            if module == addon.name and not (addon / rel).is_file():
                problems.append(f"{path.relative_to(addon)}: web_icon {rel} missing")
    return problems


def _csv_ids(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["id"] for row in csv.DictReader(fh) if row.get("id")}


def check_references(addon):
    """Every xmlid used is defined earlier in the addon, or by a dependency."""
    addon = Path(addon)
    name = addon.name
    manifest = read_manifest(addon)
    problems = []
    # Odoo names each model of the addon model_<name>, and each of their
    # fields field_<model>__<field>.
    defined = {"model_" + n.replace(".", "_") for n in model_names(addon)}
    defined |= {
        f"field_{model.replace('.', '_')}__{field}"
        for model, field in model_fields(addon)
    }
    for rel in manifest.get("data", []) + manifest.get("demo", []):
        path = addon / rel
        if path.suffix == ".csv":
            defined |= _csv_ids(path)
            continue
        if path.suffix != ".xml" or not path.is_file():
            continue
        tree = _parse(path)
        own = _xml_ids(tree)
        for line, ref in _xml_refs(tree):
            module, _, local = ref.rpartition(".")
            if module and module != name:
                if module not in REACHABLE_MODULES:
                    problems.append(
                        f"{rel}:{line}: {ref} belongs to {module}, "
                        "which is not a dependency"
                    )
            elif local not in defined and local not in own:
                problems.append(f"{rel}:{line}: {ref} is not defined (before use)")
        defined |= own
    return problems


def _class_attr(node, name):
    for item in node.body:
        if isinstance(item, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in item.targets
        ):
            try:
                return ast.literal_eval(item.value)
            except ValueError:
                return None
    return None


def model_names(addon):
    """Models the addon defines (``_name``), read from its Python files."""
    names = set()
    for path in Path(addon).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                name = _class_attr(node, "_name")
                if isinstance(name, str):
                    names.add(name)
    return names


def model_fields(addon):
    """(model, field) pairs of the fields the addon's own models declare."""
    pairs = set()
    for path in Path(addon).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            model = None
            fnames = []
            for stmt in node.body:
                if not isinstance(stmt, ast.Assign):
                    continue
                targets = [getattr(t, "id", None) for t in stmt.targets]
                if "_name" in targets and isinstance(stmt.value, ast.Constant):
                    model = stmt.value.value
                call = stmt.value
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and getattr(call.func.value, "id", None) == "fields"
                ):
                    fnames += [t for t in targets if t]
            if model:
                pairs |= {(model, f) for f in fnames}
    return pairs


def group_ids(addon):
    ids = set()
    for path in Path(addon).rglob("*.xml"):
        for node in _parse(path).iter("record"):
            if node.get("model") == "res.groups":
                ids.add(node.get("id"))
    return ids


def _check_ref(addon_name, kind, ref, known):
    """A problem with an xmlid of the access CSV, or None."""
    module, _, local = ref.rpartition(".")
    if module in ("", addon_name):
        return None if local in known else f"unknown {kind} {ref}"
    if module not in REACHABLE_MODULES:
        return f"{kind} {ref} of a non-dependency"
    return None


def check_access_csv(addon):
    addon = Path(addon)
    problems = []
    models = {"model_" + n.replace(".", "_") for n in model_names(addon)}
    groups = group_ids(addon)
    for path in sorted(addon.rglob("ir.model.access*.csv")):
        rel = path.relative_to(addon)
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            if header != CSV_HEADER:
                problems.append(f"{rel}: header {header} != {CSV_HEADER}")
                continue
            seen = set()
            for lineno, row in enumerate(reader, start=2):
                if len(row) != len(CSV_HEADER):
                    problems.append(f"{rel}:{lineno}: {len(row)} columns")
                    continue
                xmlid, _name, model, group = row[:4]
                if xmlid in seen:
                    problems.append(f"{rel}:{lineno}: duplicate id {xmlid}")
                seen.add(xmlid)
                if not group:
                    problems.append(f"{rel}:{lineno}: no group (access for everyone)")
                for kind, ref, known in (
                    ("model", model, models),
                    ("group", group, groups),
                ):
                    problem = _check_ref(addon.name, kind, ref, known)
                    if ref and problem:
                        problems.append(f"{rel}:{lineno}: {problem}")
                for perm in row[4:]:
                    if perm not in ("0", "1"):
                        problems.append(f"{rel}:{lineno}: permission {perm!r} not 0/1")
    return problems


def check_pure_logic(package):
    """Modules of the logic package import nothing from Odoo."""
    problems = []
    for path in sorted(Path(package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                if name == "odoo" or name.startswith("odoo."):
                    problems.append(f"{path.name}:{node.lineno}: imports {name}")
    return problems


# Attributes of Odoo's cursor that are private to it (the psycopg2
# connection and cursor), and the blanket flush Odoo's own code does not
# use before raw SQL.
PRIVATE_SQL_ATTRIBUTES = {"_cnx", "_obj"}
BLANKET_CALLS = {"flush_all"}


def check_sql_idioms(addon):
    """The addon's code (its tests aside) reaches the database through
    Odoo's public API: no cursor internals, and a targeted ``flush_model``
    instead of ``flush_all`` before raw SQL."""
    problems = []
    for path in sorted(Path(addon).rglob("*.py")):
        if "tests" in path.relative_to(addon).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            where = f"{path.relative_to(addon)}:{node.lineno}"
            if node.attr in PRIVATE_SQL_ATTRIBUTES:
                problems.append(f"{where}: uses the cursor's private {node.attr}")
            elif node.attr in BLANKET_CALLS:
                problems.append(f"{where}: {node.attr}() where flush_model serves")
    return problems


def check_one_model_per_file(models_dir):
    """Each file of ``models/`` defines at most one new model (a class whose
    ``_name`` is not among its ``_inherit``), and is named after it.
    Extensions of existing models are not counted."""
    problems = []
    for path in sorted(Path(models_dir).glob("*.py")):
        new = []
        for node in ast.parse(path.read_text("utf-8")).body:
            if not isinstance(node, ast.ClassDef):
                continue
            name = _class_attr(node, "_name")
            inherit = _class_attr(node, "_inherit") or []
            if isinstance(inherit, str):
                inherit = [inherit]
            if isinstance(name, str) and name not in inherit:
                new.append(name)
        if len(new) > 1:
            problems.append(f"{path.name}: defines {len(new)} models: {', '.join(new)}")
        elif new and path.stem != new[0].replace(".", "_"):
            expected = new[0].replace(".", "_") + ".py"
            problems.append(f"{path.name}: defines {new[0]}, so is named {expected}")
    return problems


VIEW_FOLDERS = ("views", "wizards", "wizard", "report")
MAX_MODELS_PER_VIEW_FILE = 2


def check_view_models_per_file(addon, limit=MAX_MODELS_PER_VIEW_FILE):
    """No XML file of ``views/``, ``wizards/`` or ``report/`` defines views
    (``ir.ui.view`` records) of more than ``limit`` models: each model's views
    live in that model's own file. Menus and actions are not counted."""
    addon = Path(addon)
    problems = []
    for folder in VIEW_FOLDERS:
        for path in sorted((addon / folder).glob("*.xml")):
            models = []
            for node in _parse(path).iter("record"):
                if node.get("model") != "ir.ui.view":
                    continue
                model = node.find("field[@name='model']")
                name = model.text.strip() if model is not None and model.text else "?"
                if name not in models:
                    models.append(name)
            if len(models) > limit:
                problems.append(
                    f"{path.relative_to(addon).as_posix()}: views of "
                    f"{len(models)} models ({', '.join(models)}), at most {limit}"
                )
    return problems


# Records that have one folder of their own: data/ for what runs or numbers
# things, report/ for printed reports.
RECORD_FOLDERS = {
    "ir.cron": "data",
    "ir.sequence": "data",
    "mail.activity.type": "data",
    "mail.template": "data",
    "ir.actions.report": "report",
}


def check_records_in_their_folders(addon):
    """Crons, sequences, activity types and mail templates are defined in
    ``data/``, printed reports in ``report/``, whatever file the manifest
    loads them from."""
    addon = Path(addon)
    problems = []
    for path in sorted(addon.rglob("*.xml")):
        rel = path.relative_to(addon)
        for node in _parse(path).iter("record"):
            folder = RECORD_FOLDERS.get(node.get("model"))
            if folder and rel.parts[0] != folder:
                problems.append(
                    f"{rel.as_posix()}:{node.sourceline}: {node.get('model')} "
                    f"{node.get('id')} belongs in {folder}/"
                )
    return problems


def check_po(path, lang="zh_CN"):
    """A translation file: parses, complete (no empty or fuzzy entry)."""
    import polib

    problems = []
    try:
        po = polib.pofile(str(path))
    except (OSError, ValueError) as exc:
        return [f"{path}: {exc}"]
    if po.metadata.get("Language") != lang:
        problems.append(f"{path}: Language {po.metadata.get('Language')!r} != {lang}")
    for entry in po:
        if entry.obsolete:
            continue
        if not entry.msgstr.strip():
            problems.append(f"{path}:{entry.linenum}: untranslated {entry.msgid!r}")
        if "fuzzy" in entry.flags:
            problems.append(f"{path}:{entry.linenum}: fuzzy {entry.msgid!r}")
        if entry.msgstr and sorted(PLACEHOLDER_RE.findall(entry.msgid)) != sorted(
            PLACEHOLDER_RE.findall(entry.msgstr)
        ):
            problems.append(
                f"{path}:{entry.linenum}: placeholders of {entry.msgid!r} differ "
                "in the translation"
            )
    return problems


def po_msgids(path):
    import polib

    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete}


# The requirements' source document: users have never seen it, so no text
# they read may speak of it (comments and docstrings may).
SEED_RE = re.compile(r"\bseed|种子", re.IGNORECASE)
# Arguments of fields and calls whose strings users read.
USER_KWARGS = {"string", "help", "selection", "placeholder"}
# Attributes of view and template nodes whose values users read.
USER_ATTRS = {
    "string",
    "help",
    "placeholder",
    "title",
    "confirm",
    "sum",
    "alt",
    "aria-label",
    "data-tooltip",
    "data-string",
}
# Data fields that hold code or technical references, not text.
TECHNICAL_FIELDS = {"code", "domain", "context", "model", "res_model", "key"}
TRANSLATE_CALLS = {"_", "_lt"}


def _strings(node):
    """The string constants of an expression (a literal, list, tuple...)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub


def _python_user_strings(path):
    """(line, text) of the user-facing strings of a Python file: field
    labels, help and selection labels, translated messages, and model
    descriptions."""
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else getattr(func, "id", None)
            )
            if name in TRANSLATE_CALLS and node.args:
                for const in _strings(node.args[0]):
                    yield const.lineno, const.value
            is_field = (
                isinstance(func, ast.Attribute)
                and getattr(func.value, "id", None) == "fields"
            )
            if is_field:
                # fields.Char("Label"), fields.Selection([...], "Label")
                for arg in node.args:
                    if not (isinstance(arg, ast.Constant) and arg.value is None):
                        for const in _strings(arg):
                            yield const.lineno, const.value
            for keyword in node.keywords:
                if keyword.arg in USER_KWARGS:
                    for const in _strings(keyword.value):
                        yield const.lineno, const.value
        elif isinstance(node, ast.Assign) and any(
            getattr(target, "id", None) == "_description" for target in node.targets
        ):
            for const in _strings(node.value):
                yield const.lineno, const.value


def _xml_user_strings(path):
    """(line, text) of the user-facing text of an XML file: element text
    (views, QWeb templates, mail bodies, data names and notes) and the
    attributes users read. Comments and code fields are left out."""
    for node in _parse(path).iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "field" and node.get("name") in TECHNICAL_FIELDS:
            continue
        for attr in USER_ATTRS:
            if node.get(attr):
                yield node.sourceline, node.get(attr)
        for text in (node.text, node.tail):
            if text and text.strip():
                yield node.sourceline, text.strip()


def check_no_seed(addon):
    """No user-facing string of the addon mentions the seed: the terms of
    the .pot and the Chinese translations, Python field labels, help texts,
    selection labels and translated messages, and view, data and report
    texts."""
    import polib

    addon = Path(addon)
    problems = []

    def found(where, line, text):
        if SEED_RE.search(text):
            problems.append(f"{where}:{line}: {text[:80]!r}")

    for path in sorted((addon / "i18n").glob("*.po*")):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                found(path.relative_to(addon), entry.linenum, entry.msgid)
                found(path.relative_to(addon), entry.linenum, entry.msgstr)
    for path in sorted(addon.rglob("*.py")):
        if "tests" in path.relative_to(addon).parts:
            continue
        for line, text in _python_user_strings(path):
            found(path.relative_to(addon), line, text)
    for path in sorted(addon.rglob("*.xml")):
        for line, text in _xml_user_strings(path):
            found(path.relative_to(addon), line, text)
    return problems
