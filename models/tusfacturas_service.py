from odoo import api, models
from odoo.exceptions import RedirectWarning, UserError
from odoo.http import request

from ..tusfacturas import TusFacturasClient, TusFacturasError, parse_ledger
from ..tusfacturas.client import MAX_BYTES
from ..tusfacturas.replay import RequestCachedClient


class TusFacturasService(models.AbstractModel):
    """The Odoo side of the TusFacturas client: credentials from the company's TusFacturas
    accounts (``tusfacturas.account``), failures turned into messages users can read.

    What a user's request fetched from TusFacturas survives Odoo replaying it: Odoo replays
    a whole request after a serialization failure (``odoo.service.model.retrying``); the
    replay reuses the current accounts the first attempt fetched, and billed, instead of
    calling TusFacturas again for them.
    """

    _name = "tusfacturas.service"
    _description = "TusFacturas API access"

    @api.model
    def _ledger_account(self, company):
        """The account that reads ``company``'s customers' current accounts, or a user-facing
        error if the company has none with its three credentials."""
        account = company._tusfacturas_ledger_account()
        if account:
            return account
        message = self.env._("The company %(company)s has no TusFacturas account configured.", company=company.name)
        if self.env.user.has_group("base.group_system"):
            action = self.env.ref("tusfacturas_cuenta_corriente.action_tusfacturas_account")
            raise RedirectWarning(
                message + " " + self.env._("Add one, with its credentials, in TusFacturas Accounts."),
                action.id,
                self.env._("TusFacturas Accounts"),
            )
        raise UserError(message + " " + self.env._("Ask an administrator to add one in Settings."))

    @api.model
    def _client(self, account, timeout=None):
        """A :class:`TusFacturasClient` with ``account``'s credentials; each call's ``timeout``
        is the account's, or the one given if shorter. Within a user's request, a
        :class:`RequestCachedClient` that remembers what the request fetched."""
        client = TusFacturasClient(
            **account._client_settings(), timeout=min(account.timeout, timeout or account.timeout)
        )
        if not request:
            return client
        fetched = getattr(request, "_tusfacturas_fetched", None)
        if fetched is None:
            fetched = request._tusfacturas_fetched = {}
        return RequestCachedClient(client, fetched, account.id)

    @api.model
    def _error_message(self, error, account):
        """The translated, credential-free message for a :class:`TusFacturasError` of a call
        with ``account``, followed by why the batch stopped, if it stopped on this error."""
        message = self._describe_error(error, account)
        return f"{message} {error.stop_reason}" if error.stop_reason else message

    @api.model
    def _describe_error(self, error, account):
        code = error.code
        if code == "api_errors":
            return self.env._(
                "TusFacturas rejected the request: %(errors)s",
                errors="; ".join(error.errors) or self.env._("no detail given"),
            )
        if code == "unauthorized":
            return self.env._(
                "TusFacturas refused the credentials of %(account)s (HTTP %(status)s). Check the user token, "
                "API key and API token of this TusFacturas account, and that this server's IP address is enabled "
                "in TusFacturas (Mi espacio de trabajo > ACCESO API).",
                account=account.display_name,
                status=error.status,
            )
        if code == "bad_request":
            return self.env._("TusFacturas found the request invalid (HTTP 400). Check the customer's CUIT.")
        if code == "not_found":
            return self.env._(
                "TusFacturas does not know this API method (HTTP 404). Check the API URL of the TusFacturas account."
            )
        if code == "method_not_allowed":
            return self.env._(
                "TusFacturas did not accept the request method (HTTP 405). Check the API URL of the TusFacturas "
                "account."
            )
        if code == "unavailable":
            return self.env._(
                "TusFacturas is not available right now (HTTP %(status)s). Try again later.", status=error.status
            )
        if code == "timeout":
            return self.env._(
                "TusFacturas did not answer within %(timeout)s seconds. Try again later.",
                timeout=error.timeout or account.timeout,
            )
        if code == "connection" and error.detail == "certificate":
            return self.env._(
                "The TLS certificate of the TusFacturas API could not be verified, so nothing was sent. Check the "
                "API URL of the TusFacturas account. If this server reaches the internet through a proxy that "
                "inspects TLS, set REQUESTS_CA_BUNDLE in its environment to that proxy's CA certificates."
            )
        if code == "connection" and error.detail == "proxy":
            return self.env._(
                "Could not connect to TusFacturas through the proxy set in this server's environment "
                "(HTTPS_PROXY, HTTP_PROXY or ALL_PROXY): it could not be reached, or it refused the connection. "
                "Check the proxy, or NO_PROXY."
            )
        if code == "connection":
            return self.env._(
                "Could not connect to TusFacturas. Check this server's internet connection "
                "and the API URL of the TusFacturas account."
            )
        if code == "redirect":
            return self.env._(
                "TusFacturas answered with a redirect (HTTP %(status)s), which is never followed: the request "
                "carries the credentials. The API URL of the TusFacturas account is wrong or the API has moved.",
                status=error.status,
            )
        if code == "too_large":
            return self.env._(
                "TusFacturas sent an answer larger than %(size)s MB; it was not read. Try again later, "
                "or contact TusFacturas support.",
                size=MAX_BYTES // (1024 * 1024),
            )
        if code == "invalid_encoding":
            return self.env._("TusFacturas sent an answer in an unsupported or corrupt compression. Try again later.")
        if code == "invalid_json":
            return self.env._("TusFacturas sent an answer that is not valid JSON. Try again later.")
        if code == "invalid_settings" and error.field == "timeout":
            return self.env._("The timeout of the TusFacturas account must be a positive number of seconds.")
        if code == "invalid_settings" and error.field == "proxy" and error.detail == "socks":
            return self.env._(
                "The proxy set in this server's environment (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is a SOCKS "
                "proxy, which needs the Python package PySocks: install it, or name an http:// or https:// proxy."
            )
        if code == "invalid_settings" and error.field == "proxy":
            return self.env._(
                "The proxy set in this server's environment (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is not a "
                "valid http://, https:// or socks5:// URL."
            )
        if code == "invalid_settings" and error.field == "ca_bundle":
            return self.env._(
                "The CA certificates set in this server's environment (REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE) "
                "cannot be read."
            )
        if code == "invalid_settings" and error.detail == "insecure":
            return self.env._(
                "The API URL of the TusFacturas account must start with https://: every request carries the "
                "credentials. A plain http:// URL is accepted only for this server itself (localhost)."
            )
        if code == "invalid_settings":
            return self.env._("The API URL of the TusFacturas account is not valid: it must start with https://.")
        if code == "unexpected":
            return self.env._(
                "Unexpected error while checking this customer with TusFacturas (%(detail)s). "
                "The other customers were not affected; the server log has the details.",
                detail=error.detail,
            )
        if code == "invalid_response" and error.row:
            return self.env._(
                'TusFacturas sent an invalid answer: the field "%(field)s" of row %(row)s is missing or invalid.',
                field=error.field,
                row=error.row,
            )
        if code == "invalid_response":
            return self.env._(
                'TusFacturas sent an invalid answer: the field "%(field)s" is missing or invalid.', field=error.field
            )
        return self.env._("TusFacturas answered with an unexpected HTTP status %(status)s.", status=error.status)

    @api.model
    def _raise_user_error(self, error, account):
        raise UserError(self._error_message(error, account)) from error

    @api.model
    def _account_usage(self, account):
        """Call ``micuenta/consumo``; raise a :class:`UserError` on failure."""
        try:
            return self._client(account).account_usage()
        except TusFacturasError as error:
            self._raise_user_error(error, account)

    @api.model
    def _ledger_answer(self, account, cuit, timeout=None):
        """Call for the current account of ``cuit`` (within ``timeout``, if shorter than the
        account's): its raw rows; raise a :class:`UserError` on failure."""
        client = self._client(account, timeout=timeout)
        try:
            return client.customer_ledger(cuit)
        except TusFacturasError as error:
            self._raise_user_error(error, account)

    @api.model
    def _ledger_rows(self, account, answer):
        """The rows of a current account's raw ``answer``; raise a :class:`UserError` if one is invalid."""
        try:
            return parse_ledger(answer)
        except TusFacturasError as error:
            self._raise_user_error(error, account)
