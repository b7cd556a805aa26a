"""Valid CUITs to fill the sandbox, the tests and the benchmark with."""

from stdnum.ar import cuit as stdnum_cuit


def make_cuits(count, prefix="30", body=50000000):
    """``count`` distinct valid CUITs ``<prefix><8 digits from body><check digit>``."""
    cuits = []
    while len(cuits) < count:
        base = f"{prefix}{body:08d}"
        check = stdnum_cuit.calc_check_digit(base)
        if len(check) == 1 and stdnum_cuit.is_valid(base + check):
            cuits.append(base + check)
        body += 1
    return cuits
