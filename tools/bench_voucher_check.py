#!/usr/bin/env python3
"""Micro-benchmark of the voucher check's plain Python against its floor's ``json.loads``.

A month of vouchers of one point of sale (default 50,000 in 50 pages of 1,000, as
``sandbox/vouchers.py`` serves them, in the reference's shape) against Odoo's documents of
the month (one in a hundred with another total, one in two hundred missing, a numbering gap).
Measured, each the best of ``--repeat`` runs with Python's cyclic garbage collector paused
(as the Odoo layer runs it, ``tusfacturas/collector.py``):

- ``json.loads`` of the pages' bytes (what the client does; part of issue 19's floor);
- ``parse_voucher_page`` of each page as soon as it is decoded (``tusfacturas/vouchers.py``),
  as ``vouchers_of_day`` does (each timed on its own, in the same pass);
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
from tusfacturas.voucher_check import check_vouchers, documents_from_rows
from tusfacturas.vouchers import parse_voucher_page

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


def paused(work, *args, **kwargs):
    """``(seconds, work(*args, **kwargs))``, the cyclic garbage collector paused as the Odoo layer runs
    the check (collected before, not timed)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = work(*args, **kwargs)
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def read(encoded):
    """Each page decoded then parsed, as ``vouchers_of_day`` does: ``(seconds decoding,
    seconds parsing, pages of vouchers)``, each timed on its own in the same pass."""
    decoding = parsing = 0.0
    pages = []
    clock = time.perf_counter
    for page in encoded:
        start = clock()
        data = json.loads(page)
        middle = clock()
        pages.append(parse_voucher_page(data)[1])
        decoding, parsing = decoding + middle - start, parsing + clock() - middle
    return decoding, parsing, pages


def measure(count, repeat):
    encoded, rows = month(count)

    def equal(a, b):
        return abs(a - b) < 0.005

    json_time = parse_time = documents_time = check_time = float("inf")
    for _ in range(repeat):  # the best of each
        _seconds, (decoding, parsing, parsed) = paused(read, encoded)
        json_time, parse_time = min(json_time, decoding), min(parse_time, parsing)
        seconds, documents = paused(lambda: list(documents_from_rows(rows)))
        documents_time = min(documents_time, seconds)
        seconds, result = paused(check_vouchers, iter(parsed), documents, equal, point_of_sale=1)
        check_time = min(check_time, seconds)
    return {
        "vouchers": result.vouchers,
        "pages": result.pages,
        "megabytes": sum(map(len, encoded)) / 1e6,
        "json": json_time,
        "parse": parse_time,
        "documents": documents_time,
        "check": check_time,
        "counts": {kind: number for kind, number in result.counts().items() if number},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vouchers", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    figures = measure(args.vouchers, args.repeat)
    loads = figures["json"]
    print(f"{figures['vouchers']} vouchers in {figures['pages']} pages, {figures['megabytes']:.1f} MB of JSON")
    print(f"findings: {figures['counts']}")
    for name in ("json", "parse", "documents", "check"):
        seconds = figures[name]
        per_voucher = seconds / figures["vouchers"] * 1e6
        print(
            f"{name:>10}: {seconds * 1000:8.1f} ms  {per_voucher:6.2f} µs/voucher  {seconds / loads:5.2f}x json.loads"
        )
    plain = figures["parse"] + figures["check"]
    print(f"parse + check: {plain / loads:.2f}x json.loads; check alone: {figures['check'] / loads:.2f}x")


if __name__ == "__main__":
    main()
