#!/usr/bin/env python3
"""Micro-benchmark of the voucher check's plain Python against its floor's ``json.loads``.

A month of vouchers of one point of sale (default 50,000 in 50 pages of 1,000, as
``sandbox/vouchers.py`` serves them, in the reference's shape) against Odoo's documents of
the month (one in a hundred with another total, one in two hundred missing, a numbering gap).
Measured, each the best of ``--repeat`` runs, with Python's cyclic garbage collector on, as
in Odoo, beside ``--heap`` long-lived objects (default 450,000: about what an Odoo 18 server
process holds once its registry is loaded), and how many full collections each ran:

- ``json.loads`` of the pages' bytes (part of issue 19's floor);
- the client's way: ``decode_json`` of each page with a ``PageRows`` (``tusfacturas/json_rows.py``),
  each voucher parsed as soon as it is decoded;
- the whole page decoded, then parsed (``parse_voucher_page``), as the client read pages before;
- ``check_vouchers`` of the parsed pages against the documents (``tusfacturas/voucher_check.py``);
- building the documents from rows as an SQL read returns them (``documents_from_rows``).

Plain Python, no Odoo, no database: ``python3 tools/bench_voucher_check.py [--vouchers N]``.
"""

import argparse
import datetime
import gc
import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from sandbox.vouchers import make_voucher
from tusfacturas.client import decode_json
from tusfacturas.voucher_check import check_vouchers, documents_from_rows
from tusfacturas.vouchers import PageRows, parse_voucher_page

PAGE = 1000


def month(count):
    """``(pages as bytes, Odoo's rows)`` of ``count`` vouchers dated over March 2026."""
    pages, rows, page = [], [], []
    start = datetime.date(2026, 3, 1)
    for number in range(count, 0, -1):  # newest first
        day = start + datetime.timedelta(days=(number - 1) * 31 // count)
        customer = ("CUIT", f"30{70000000 + number % 2000:08d}1", f"Cliente {number % 2000}")
        total = 1210.0 + number % 97
        if number != count // 2:  # a numbering gap
            page.append(make_voucher(number=number, date=day, total=total, customer=customer))
        if number % 200:  # one in 200 missing in Odoo
            odoo_total = total + 1 if number % 100 == 1 else total  # one in 100 another total
            rows.append((number, "1", 1, number, day, "PES", 1.0, odoo_total, "CUIT", customer[1], None, None))
        if len(page) == PAGE:
            pages.append(page)
            page = []
    if page:
        pages.append(page)
    total = sum(len(page) for page in pages)
    encoded = [
        json.dumps({"rta": "OK", "error": "N", "total": total, "errores": [], "comprobantes": page}).encode()
        for page in pages
    ]
    return encoded, rows


class Collections:
    """Counts the collector's full collections (generation 2)."""

    def __init__(self):
        self.count = 0
        gc.callbacks.append(self)

    def __call__(self, phase, info):
        if phase == "stop" and info["generation"] == 2:
            self.count += 1


def timed(collections, work, *args):
    """``(seconds, full collections, work(*args))``, the collector on (collected before, not timed)."""
    gc.collect()
    before = collections.count
    start = time.perf_counter()
    result = work(*args)
    return time.perf_counter() - start, collections.count - before, result


def loads(encoded):
    for page in encoded:
        json.loads(page)


def streamed(encoded):
    """As ``voucher_api`` reads pages: each voucher parsed as decoded."""
    pages = []
    for page in encoded:
        rows = PageRows()
        pages.append(parse_voucher_page(decode_json(page, "comprobantes", rows), rows=rows)[1])
    return pages


def whole(encoded):
    """Each page decoded whole, then parsed."""
    pages = []
    for page in encoded:
        data = decode_json(page)
        pages.append(parse_voucher_page(data)[1])
        del data
    return pages


def measure(count, repeat, heap):
    encoded, rows = month(count)
    kept = [{"n": [n]} for n in range(heap)]  # long-lived objects, as a server process holds
    collections = Collections()

    def equal(a, b):
        return abs(a - b) < 0.005

    def check(pages, documents):
        return check_vouchers(iter(pages), documents, equal, point_of_sale=1)

    best = {}
    for _ in range(repeat):  # the best of each
        for name, work, args in [
            ("json.loads", loads, (encoded,)),
            ("voucher by voucher", streamed, (encoded,)),
            ("page by page", whole, (encoded,)),
        ]:
            seconds, full, parsed = timed(collections, work, *args)
            best[name] = min(best.get(name, (seconds, full)), (seconds, full))
        seconds, full, documents = timed(collections, lambda: list(documents_from_rows(rows)))
        best["documents"] = min(best.get("documents", (seconds, full)), (seconds, full))
        seconds, full, result = timed(collections, check, parsed, documents)
        best["check"] = min(best.get("check", (seconds, full)), (seconds, full))
    del kept
    return result, sum(map(len, encoded)) / 1e6, best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vouchers", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--heap", type=int, default=450_000, help="long-lived objects beside the check")
    args = parser.parse_args()
    result, megabytes, best = measure(args.vouchers, args.repeat, args.heap)
    floor = best["json.loads"][0]
    print(
        f"{result.vouchers} vouchers in {result.pages} pages, {megabytes:.1f} MB of JSON, {args.heap:,} objects beside"
    )
    print(f"findings: { {kind: number for kind, number in result.counts().items() if number} }")
    for name, (seconds, full) in best.items():
        per_voucher = seconds / result.vouchers * 1e6
        print(
            f"{name:>18}: {seconds * 1000:8.1f} ms  {per_voucher:6.2f} µs/voucher  {seconds / floor:5.2f}x json.loads"
            f"  {full} full collection(s)"
        )


if __name__ == "__main__":
    main()
