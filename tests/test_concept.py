from odoo.tests import BaseCase

from ..tusfacturas import concept
from ..tusfacturas.concept import DocumentRef, parse_concept


class TestConcept(BaseCase):
    def test_reference_examples(self):
        self.assertEqual(
            parse_concept("FACTURA A 0002-00000001 (CUIT DE PRUEBA)"), DocumentRef("FACTURA", "A", 2, 1, "1")
        )
        self.assertEqual(
            parse_concept("NOTA DE CREDITO ELECTRONICA MiPyME (FCE) B 0003-00000042"),
            DocumentRef("NOTA DE CREDITO ELECTRONICA MIPYME (FCE)", "B", 3, 42, "208"),
        )

    def test_every_type_and_letter_maps_to_its_afip_code(self):
        expected = {
            "FACTURA": {"A": "1", "B": "6", "C": "11", "E": "19", "M": "51"},
            "NOTA DE DEBITO": {"A": "2", "B": "7", "C": "12", "E": "20", "M": "52"},
            "NOTA DE CREDITO": {"A": "3", "B": "8", "C": "13", "E": "21", "M": "53"},
            "RECIBO": {"C": "15"},
            "FACTURA DE CREDITO ELECTRONICA MiPyME (FCE)": {"A": "201", "B": "206", "C": "211"},
            "NOTA DE DEBITO ELECTRONICA MiPyME (FCE)": {"A": "202", "B": "207", "C": "212"},
            "NOTA DE CREDITO ELECTRONICA MiPyME (FCE)": {"A": "203", "B": "208", "C": "213"},
        }
        for doc_type, letters in expected.items():
            for letter, code in letters.items():
                with self.subTest(doc_type=doc_type, letter=letter):
                    ref = parse_concept(f"{doc_type} {letter} 0001-00000007")
                    self.assertEqual((ref.afip_code, ref.letter, ref.point_of_sale, ref.number), (code, letter, 1, 7))

    def test_five_digit_points_of_sale_accents_and_case(self):
        self.assertEqual(parse_concept("Nota de Crédito C 00012-00000003").key, ("13", 12, 3))
        self.assertEqual(parse_concept("  FACTURA  B  12345-00001234  ").key, ("6", 12345, 1234))

    def test_non_afip_documents_have_no_code(self):
        for text in ("FACTURA NO VALIDA EN AFIP 0001-00000004", "NOTA DE CREDITO NO VALIDA EN AFIP X 0001-00000005"):
            with self.subTest(text=text):
                ref = parse_concept(text)
                self.assertIsNotNone(ref)
                self.assertIsNone(ref.afip_code)

    def test_other_movements_are_not_documents(self):
        for text in ("PAGO", "SALDO INICIAL", "FACTURA A", "FACTURA E 0001", "", None):
            with self.subTest(text=text):
                self.assertIsNone(parse_concept(text))
        # A number with explicit words, or a receipt AFIP does not number: movements.
        self.assertEqual(
            parse_concept("Pago recibido 0001-00000002"), DocumentRef("", "", 1, 2, None, concept.MOVEMENT)
        )
        self.assertEqual(
            parse_concept("RECIBO E 0001-00000001"), DocumentRef("RECIBO", "E", 1, 1, None, concept.MOVEMENT)
        )
        # A type or letter not understood, with a number: matching may find it in Odoo.
        self.assertEqual(
            parse_concept("FACTURA Z 0001-00000001"), DocumentRef("", "", 1, 1, None, concept.UNRECOGNIZED)
        )

    def test_the_reference_is_found_anywhere(self):
        for text, kind in (
            ("Comprobante FACTURA A 0001-00000007", concept.DOCUMENT),
            ("FACTURA A N° 0001-00000007 (ADHOC SA)", concept.DOCUMENT),
            ("FACTURA A Nº 0001-00000007", concept.DOCUMENT),
            ("FACTURA A NRO. 0001-00000007", concept.DOCUMENT),
            ("FACTURA A 0001-00000007 (ADHOC SOCIEDAD ANO", concept.DOCUMENT),  # the name cut short
            ("FACTURA A 0001-00000007 ((ADHOC SA))", concept.DOCUMENT),
            ("FACTURA A 0001-00000007 - ADHOC SA", concept.DOCUMENT),  # no explicit word: still the document
            ("FACTURA A 0001-00000007 (PAGOS Y COBRANZAS SA)", concept.DOCUMENT),  # words of the name do not count
            ("PAGO FACTURA A 0001-00000007", concept.MOVEMENT),
            ("FACTURA A 0001-00000007 - COBRANZA", concept.MOVEMENT),
            ("FACTURA A 0001-00000007 (ADHOC SA) - RETENCION IIBB", concept.MOVEMENT),
            ("FACTURA A 0001-00000007 (ANULADA)", concept.ANNULLED),
        ):
            with self.subTest(text=text):
                ref = parse_concept(text)
                self.assertEqual((ref.key, ref.kind), (("1", 1, 7), kind))
        self.assertEqual(
            parse_concept("FACTURA DE CREDITO ELECTRONICA MiPyMEs (FCE) A 0001-00000003").key, ("201", 1, 3)
        )
        self.assertEqual(parse_concept("NOTA DE CREDITO ELECTRONICA MIPYME FCE B 0002-00000004").key, ("208", 2, 4))
