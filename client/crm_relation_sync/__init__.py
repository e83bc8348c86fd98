"""Command-line client of crm_relation's XML-RPC sync door (odoorpc)."""

__version__ = "19.0.1.0.0"
