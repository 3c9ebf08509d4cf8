"""Tryton module ``hcops_ledger``: idempotent, atomic posting of hcops journals.

Discovered by trytond through the ``trytond.modules`` entry point declared in
pyproject.toml (``hcops_ledger = "writeback.tryton_module"``); the classes to register are
listed in ``tryton.cfg``. Import nothing from trytond here: trytond imports this package
while it registers modules.
"""
