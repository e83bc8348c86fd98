"""How the client talks to Odoo: one ``call(model, method, **kwargs)``.

- ``Json2`` (the default): Odoo 19's external API, ``POST
  /json/2/<model>/<method>`` with the named arguments as a JSON object and
  ``Authorization: bearer <API key>``; plain HTTP from the standard library.
- ``JsonRpc``: ``/jsonrpc`` through odoorpc, for set-ups that need it
  (deprecated by Odoo 19, which logs a warning on each call).
- ``XmlRpc``: ``/xmlrpc/2`` from the standard library (deprecated too).

A call the server refuses raises ``RemoteError`` (``AuthError`` for a
refused key or password); a network failure raises one of
``NETWORK_ERRORS``, which the caller may retry (the door is idempotent).
"""

import json
import socket
import urllib.error
import urllib.request
import xmlrpc.client

# Answers of a proxy or a restarting server: worth trying again.
RETRY_STATUSES = (502, 503, 504)
NETWORK_ERRORS = (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError)


class RemoteError(RuntimeError):
    """The server refused the call: its message."""


class AuthError(RemoteError):
    """The server refused the API key, login or password."""


class Unavailable(ConnectionError):
    """The server answered 502, 503 or 504: try again later."""


class Json2:
    """A JSON-2 client with an API key."""

    def __init__(self, url, db, key, timeout=300, urlopen=urllib.request.urlopen):
        self.url, self.db, self.key = url.rstrip("/"), db, key
        self.timeout, self.urlopen = timeout, urlopen

    def request(self, model, method, kwargs):
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"bearer {self.key}",
            "User-Agent": "crm-relation-sync",
        }
        if self.db:
            headers["X-Odoo-Database"] = self.db
        return urllib.request.Request(
            f"{self.url}/json/2/{model}/{method}",
            data=json.dumps(kwargs, ensure_ascii=False).encode(),
            headers=headers,
            method="POST",
        )

    def call(self, model, method, **kwargs):
        request = self.request(model, method, kwargs)
        try:
            with self.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise self.error(error.code, error.read()) from None

    @staticmethod
    def error(status, raw):
        """The exception for an HTTP error answer (status, body)."""
        if status in RETRY_STATUSES:
            return Unavailable(f"HTTP {status}")
        try:
            body = json.loads(raw)
            message = body.get("message") or body.get("name")
        except (ValueError, AttributeError):
            message = raw[:300].decode("utf-8", "replace").strip()
        text = f"HTTP {status}: {message}"
        return AuthError(text) if status == 401 else RemoteError(text)

    def check(self):
        """Raise ``AuthError`` unless the key is accepted."""
        self.call("res.users", "context_get")


class JsonRpc:
    """``/jsonrpc`` through odoorpc, logged in with a password or API key."""

    def __init__(self, url, db, login, secret, timeout=300):
        from urllib.parse import urlparse

        try:
            import odoorpc
        except ImportError:
            raise RemoteError(
                "--protocol jsonrpc needs odoorpc: "
                "pip install 'crm-relation-sync[jsonrpc]'"
            ) from None

        self.error_class = odoorpc.error.RPCError
        parts = urlparse(url)
        https = parts.scheme == "https"
        self.client = odoorpc.ODOO(
            parts.hostname,
            protocol="jsonrpc+ssl" if https else "jsonrpc",
            port=parts.port or (443 if https else 80),
            timeout=timeout,
        )
        self.db, self.login, self.secret = db, login, secret

    def check(self):
        try:
            self.client.login(self.db, self.login, self.secret)
        except self.error_class as error:
            raise AuthError(str(error)) from None

    def call(self, model, method, **kwargs):
        try:
            return self.client.execute_kw(model, method, [], kwargs)
        except self.error_class as error:
            raise RemoteError(str(error)) from None


class XmlRpc:
    """``/xmlrpc/2`` from the standard library."""

    def __init__(self, url, db, login, secret, timeout=300):
        url = url.rstrip("/")
        self.db, self.login, self.secret, self.uid = db, login, secret, None
        self.common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.object = xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )
        self.timeout = timeout

    def _run(self, function, *args):
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(self.timeout)
        try:
            return function(*args)
        except xmlrpc.client.Fault as fault:
            raise RemoteError(fault.faultString.strip().splitlines()[-1]) from None
        except xmlrpc.client.ProtocolError as error:
            if error.errcode in RETRY_STATUSES:
                raise Unavailable(f"HTTP {error.errcode}") from None
            raise RemoteError(f"HTTP {error.errcode}: {error.errmsg}") from None
        finally:
            socket.setdefaulttimeout(previous)

    def check(self):
        try:
            self.uid = self._run(
                self.common.authenticate, self.db, self.login, self.secret, {}
            )
        except RemoteError as error:
            raise AuthError(str(error)) from None
        if not self.uid:
            raise AuthError("Access Denied")

    def call(self, model, method, **kwargs):
        return self._run(
            self.object.execute_kw,
            self.db, self.uid, self.secret, model, method, [], kwargs,
        )  # fmt: skip
