"""18.0.2.1.0: a ledger line keeps Odoo's document and its document type as plain ids.

Until 18.0.2.0.0 they were many2one columns (``move_id``, ``document_type_id``) with foreign
keys, whose checks locked every invoice an opening wrote a line for. The columns are renamed to
the ids that replace them (``move_ref``, ``document_type_ref``), so that the ledgers open now
keep their rows, and their foreign keys are dropped with Odoo's record of them.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, rename_column

RENAMED = {"move_id": "move_ref", "document_type_id": "document_type_ref"}
TABLE = "tusfacturas_ledger_line"


def migrate(cr, version):
    for old, new in RENAMED.items():
        if not column_exists(cr, TABLE, old) or column_exists(cr, TABLE, new):
            continue
        # The column's foreign keys, whatever their names.
        cr.execute(
            """
            SELECT c.conname
              FROM pg_constraint c
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
             WHERE c.conrelid = %s::regclass AND c.contype = 'f' AND a.attname = %s
            """,
            [TABLE, old],
        )
        for (constraint,) in cr.fetchall():
            cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(TABLE), SQL.identifier(constraint)))
            cr.execute("DELETE FROM ir_model_constraint WHERE name = %s", [constraint])
        rename_column(cr, TABLE, old, new)
