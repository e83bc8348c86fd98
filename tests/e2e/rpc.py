"""Plain clients of Odoo 19's external APIs, for the end-to-end tests.

JSON-2 first (``/json/2/<model>/<method>``, a bearer API key), XML-RPC for
the logins that hold no API key (portal users) and for odoorpc's users.
"""

import http.cookiejar
import json
import math
import urllib.error
import urllib.request
import xmlrpc.client


class Json2:
    """One user's JSON-2 client."""

    def __init__(self, base, db, key):
        self.base, self.db, self.key = base, db, key

    def call(self, model, method, ids=None, context=None, timeout=300, **kwargs):
        """``(HTTP status, decoded body)``; errors are returned, not raised."""
        body = dict(kwargs)
        if ids is not None:
            body["ids"] = ids
        if context is not None:
            body["context"] = context
        data = json.dumps(body, allow_nan=True).encode()
        request = urllib.request.Request(
            f"{self.base}/json/2/{model}/{method}",
            data=data,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {self.key}",
                "X-Odoo-Database": self.db,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, {"name": "?", "message": raw[:500].decode()}

    def ok(self, model, method, **kwargs):
        status, body = self.call(model, method, **kwargs)
        assert status == 200, (model, method, status, body)
        return body


class XmlRpc:
    """One user's XML-RPC client (``/xmlrpc/2/object``)."""

    def __init__(self, base, db, login, password):
        self.db, self.password = db, password
        common = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        assert self.uid, f"{login} cannot log in over XML-RPC"
        self.proxy = xmlrpc.client.ServerProxy(
            f"{base}/xmlrpc/2/object", allow_none=True
        )

    def call(self, model, method, *args, **kwargs):
        """``(ok, result or fault string)``."""
        try:
            return True, self.proxy.execute_kw(
                self.db, self.uid, self.password, model, method, list(args), kwargs
            )
        except xmlrpc.client.Fault as fault:
            return False, fault.faultString
        except xmlrpc.client.ProtocolError as error:
            return False, f"HTTP {error.errcode}: {error.errmsg}"


class Session:
    """A browser-like JSON-RPC session (``/web/dataset/call_kw``)."""

    def __init__(self, base, db, login, password):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        result = self._post(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )
        assert result.get("uid"), f"{login} cannot log in"

    def _post(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(
            self.base + path,
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=120) as response:
            answer = json.load(response)
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def call(self, model, method, args=(), kwargs=None):
        return self._post(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args),
             "kwargs": kwargs or {}},
        )  # fmt: skip


def make_api_key(base, db, login, password, duration=None):
    """An API key made as a user makes one in their preferences: the
    description dialog (``duration`` in days, as its choices: "1", "7",
    "30", "90", "180", "365"; else the shortest), then the password
    check."""
    session = Session(base, db, login, password)
    values = {"name": "e2e"}
    if duration:
        values["duration"] = duration
    [description] = session.call("res.users.apikeys.description", "create", [[values]])
    action = session.call("res.users.apikeys.description", "make_key", [[description]])
    if action.get("res_model") == "res.users.identitycheck":
        action = session.call(
            "res.users.identitycheck",
            "run_check",
            [[action["res_id"]]],
            {"context": {"password": password}},
        )
    return action["context"]["default_key"]


def to_write(value):
    """A value as ``read`` gives it, as ``write`` takes it."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        return value[0]  # many2one: [id, name]
    if isinstance(value, list):
        return [[6, 0, value]]  # x2many ids
    if isinstance(value, float) and not math.isfinite(value):
        return 0.0
    return value
