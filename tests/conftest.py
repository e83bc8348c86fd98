"""Shared set-up: import paths, and ``crm_relation/domain`` without Odoo.

Importing the package ``crm_relation`` would import its models and so Odoo;
the domain package is loaded on its own under the name ``crm_relation_domain``.
"""

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent / "tools", HERE.parent / "client"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from paths import DOMAIN  # noqa: E402


def _load_domain():
    if "crm_relation_domain" in sys.modules:
        return sys.modules["crm_relation_domain"]
    spec = importlib.util.spec_from_file_location(
        "crm_relation_domain",
        DOMAIN / "__init__.py",
        submodule_search_locations=[str(DOMAIN)],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["crm_relation_domain"] = module
    spec.loader.exec_module(module)
    return module


_load_domain()
