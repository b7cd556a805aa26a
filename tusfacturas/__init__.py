"""Plain-Python TusFacturas.app access: HTTP client, response parser, matching.

Nothing in this package imports Odoo, so it can be read and tested on its own;
the Odoo models in ``models/`` are a thin layer on top of it.
"""

from .client import TusFacturasClient, TusFacturasError
from .concept import DocumentRef, parse_concept
from .ledger import LedgerRow, parse_ledger
from .breaker import CircuitBreaker
