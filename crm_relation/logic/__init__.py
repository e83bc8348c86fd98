"""Pure-Python business logic of crm_relation.

Modules here import nothing from Odoo (a static test checks it), so that the
plain-Python test layer runs them on any machine.
"""
