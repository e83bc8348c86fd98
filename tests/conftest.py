"""Shared set-up: import paths, and ``crm_relation/logic`` without Odoo.

Importing the package ``crm_relation`` would import its models and so Odoo;
the logic package is loaded on its own under the name ``crm_relation_logic``.
"""

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent / "tools", HERE.parent / "client"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from paths import LOGIC  # noqa: E402


def _load_logic():
    if "crm_relation_logic" in sys.modules:
        return sys.modules["crm_relation_logic"]
    spec = importlib.util.spec_from_file_location(
        "crm_relation_logic",
        LOGIC / "__init__.py",
        submodule_search_locations=[str(LOGIC)],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["crm_relation_logic"] = module
    spec.loader.exec_module(module)
    return module


_load_logic()
