"""Where things are, for every test layer."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON = REPO / "crm_relation"
LOGIC = ADDON / "logic"
TOOLS = REPO / "tools"
