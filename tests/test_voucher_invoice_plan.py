"""What a voucher becomes as an Odoo document (tusfacturas/invoice.py): plain Python."""

from odoo.tests import BaseCase, tagged

from ..sandbox.vouchers import make_line, make_tax, make_voucher, reference_answers
from ..tusfacturas.invoice import (
    DISCOUNT,
    EXEMPT_REST,
    PRODUCT,
    plan_document,
    province_of,
    round_amount,
)
from ..tusfacturas.vouchers import parse_voucher


def plan_of(**values):
    return plan_document(parse_voucher(make_voucher(**values)))


@tagged("post_install", "-at_install")
class TestDocumentPlan(BaseCase):
    def test_the_reference_voucher(self):
        """facturacion/consulta's example: a NOTA DE DEBITO B of one line of 100 at 21 %, a general
        discount of 10 and IIBB perceptions of 10 (Buenos Aires) and 20 (Catamarca) on a base of
        100: total 138,90 = (100 - 10) x 1,21 + 30."""
        plan = plan_document(parse_voucher(reference_answers()["consulta"]))
        product, discount = plan.lines
        self.assertEqual((product.kind, product.quantity, product.unit_price, product.vat), (PRODUCT, 1, 100, "5"))
        self.assertEqual((discount.kind, discount.unit_price, discount.vat), (DISCOUNT, -10, "5"))
        self.assertEqual(product.taxes, (0, 1), "the perceptions' base is the line before the general discount")
        self.assertEqual(discount.taxes, ())
        self.assertEqual(
            [(tax.tribute, tax.province, tax.iibb_group, tax.rate, tax.amount) for tax in plan.taxes],
            [("07", "BUENOS AIRES", "ba", 10, 10), ("07", "CATAMARCA", "ca", 20, 20)],
        )
        self.assertEqual(
            plan.expected(),
            {"total": 138.9, ("net", "5"): 90.0, ("vat", "5"): 18.9, "exempt": 0.0, "not_taxed": 0.0,
             ("tax", 0): 10.0, ("tax", 1): 20.0},
        )  # fmt: skip
        net = sum(line.net for line in plan.lines)
        self.assertEqual(round_amount(net * 1.21 + 30), plan.total, "the parts add up to TusFacturas' total")

    def test_two_vat_rates_and_a_perception_on_both(self):
        plan = plan_of(
            total=1467.0,
            lines=[(2, "Soporte", 500.0, 21), (1, "Libro", 200.0, 10.5)],
            taxes=[make_tax(7, "Percepcion de IIBB", 2, "BUENOS AIRES", 1200.0, 3.0, 36.0)],
            percepciones_iibb=36.0,
        )
        self.assertEqual(
            [(line.vat, line.net, line.taxes) for line in plan.lines], [("5", 1000, (0,)), ("4", 200, (0,))]
        )
        self.assertEqual(len(plan.taxes), 1, "percepciones_iibb is the sum of the tributos, not more")
        self.assertEqual(plan.expected()["vat", "4"], 21.0)

    def test_a_general_discount_shared_among_vat_rates(self):
        plan = plan_of(total=0, lines=[(1, "A", 300.0, 21), (1, "B", 100.0, 10.5)], bonificacion=40)
        discounts = [line for line in plan.lines if line.kind == DISCOUNT]
        self.assertEqual([(line.vat, line.unit_price) for line in discounts], [("4", -10.0), ("5", -30.0)])

    def test_line_discounts(self):
        percent = make_line(1, "A", 200.0, 21, discount=0)
        percent["bonificacion_porcentaje"] = 25
        percent["producto"]["precio_total"] = 150.0
        amount = make_line(3, "B", 10.0, 21, discount=3.0)  # 10 % off
        odd = make_line(1, "C", 1000.0, 21, discount=333.33)  # no two-decimal percentage gives 666,67
        plan = plan_of(total=0, lines=[percent, amount, odd])
        self.assertEqual(
            [(line.quantity, line.unit_price, line.discount, line.net) for line in plan.lines],
            [(1, 200.0, 25, 150.0), (3, 10.0, 10.0, 27.0), (1, 666.67, 0.0, 666.67)],
        )

    def test_exempt_and_not_taxed_amounts(self):
        plan = plan_of(
            total=0, lines=[(1, "Exento", 100.0, -1), (1, "No gravado", 50.0, -2)], exentos=130, nogravados=50
        )
        self.assertEqual([(line.kind, line.vat, line.net) for line in plan.lines][2:], [(EXEMPT_REST, "2", 30.0)])
        expected = plan.expected()
        self.assertEqual((expected["exempt"], expected["not_taxed"]), (130.0, 50.0))
        self.assertNotIn(("vat", "2"), expected)

    def test_totals_not_itemised_in_tributos(self):
        plan = plan_of(total=0, lines=[(1, "A", 1000.0, 21)], percepciones_iva=30.0)
        [tax] = plan.taxes
        self.assertEqual((tax.tribute, tax.rate, tax.base, tax.amount), ("06", 3.0, 1000.0, 30.0))
        self.assertEqual(plan.lines[0].taxes, (0,))

    def test_provinces(self):
        self.assertEqual(
            province_of("BUENOS AIRES", 5), "BUENOS AIRES", "the name first (the reference's codes differ)"
        )
        self.assertEqual(province_of("Córdoba"), "CORDOBA")
        self.assertEqual(province_of("ARBA"), "BUENOS AIRES")
        self.assertEqual(province_of("", 1), "CIUDAD AUTONOMA DE BUENOS AIRES")
        self.assertIsNone(province_of("ATLANTIDA"))
