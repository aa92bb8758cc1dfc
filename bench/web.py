"""One client of a Django site over HTTP: a kept-alive connection (opened again whenever the
server closes it, as gunicorn's sync workers do after each response), its cookies, the CSRF
token, logging in through the login page."""

from __future__ import annotations

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Refused(Exception):
    """The server did not answer as a successful request would."""


class Browser:
    """Cookies are kept except `ignored` ones: the flash messages a redirect would have shown,
    which, never read, would pile up in the session of a client that does not follow redirects."""

    def __init__(self, host: str, port: int, *, ignored: tuple[str, ...] = ("messages",)):
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.ignored = ignored

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for line in response.headers.get_all("Set-Cookie") or ():
            self._keep(line)
        return response.status, response.headers, content

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if name in self.ignored:
                continue
            if morsel.value and morsel["max-age"] != "0":
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)

    def post(self, path: str, form: dict, *, expect: int = 302) -> str:
        """POST a form with the CSRF token; the redirect's target."""
        status, headers, content = self.request(
            "POST", path, form | {"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        )
        if status != expect:
            raise Refused(f"POST {path}: {status} {content[:300]!r}")
        return headers.get("Location", "")

    def log_in(self, path: str, username: str, password: str) -> None:
        status, _headers, content = self.request("GET", path)
        if status != 200 or not CSRF_FIELD.search(content):
            raise Refused(f"GET {path}: {status}, no login form")
        self.post(path, {"username": username, "password": password})
        if "sessionid" not in self.cookies:
            raise Refused(f"POST {path}: logging in as {username} set no session")

    def close(self) -> None:
        self.connection.close()
