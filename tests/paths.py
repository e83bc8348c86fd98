"""Where things are, for every test layer."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON = REPO / "crm_relation"
DOMAIN = ADDON / "domain"
TOOLS = REPO / "tools"
