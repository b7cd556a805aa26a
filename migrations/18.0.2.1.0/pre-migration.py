"""18.0.2.1.0: a ledger line keeps Odoo's document and its document type as plain ids.

Until 18.0.2.0.0 they were many2one columns (``move_id``, ``document_type_id``) with foreign
keys, whose checks locked every invoice an opening wrote a line for. The columns are renamed to
the ids that replace them (``move_ref``, ``document_type_ref``), so that the ledgers open now
keep their rows, and their foreign keys are dropped with Odoo's record of them.
"""

from odoo.tools import SQL

RENAMED = {"move_id": "move_ref", "document_type_id": "document_type_ref"}
TABLE = "tusfacturas_ledger_line"


def migrate(cr, version):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name = ANY(%s)",
        [TABLE, list(RENAMED)],
    )
    for (old,) in cr.fetchall():
        constraint = f"{TABLE}_{old}_fkey"
        cr.execute(
            SQL("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", SQL.identifier(TABLE), SQL.identifier(constraint))
        )
        cr.execute("DELETE FROM ir_model_constraint WHERE name = %s", [constraint])
        cr.execute(SQL("ALTER TABLE %s RENAME COLUMN %s TO %s", *map(SQL.identifier, (TABLE, old, RENAMED[old]))))
