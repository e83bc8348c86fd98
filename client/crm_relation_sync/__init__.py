"""Command-line client of crm_relation's sync door (JSON-2; JSON-RPC, XML-RPC)."""

__version__ = "19.0.1.0.0"
