"""Odoo's command line, as ``odoo-bin`` is, for whichever Odoo 19 the
running Python imports.

``python -m odoo`` would do, but in multi-worker mode Odoo starts its
websocket (gevent) process as ``python <argv[0]> gevent``: that must be a
script, which ``odoo/__main__.py`` run by path is not.
"""

import odoo.cli

if __name__ == "__main__":
    odoo.cli.main()
