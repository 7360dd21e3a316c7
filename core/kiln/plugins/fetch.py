"""Reading files of a registry or mirror over ``http://``, ``https://`` or ``file://``.

HTTP goes through urllib with the usual variables: ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` (urllib's
own handling), a CA bundle from ``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` (else the
system's), and a time-out on every connect and read (``KILN_PLUGIN_TIMEOUT``, seconds, default 30). Every
failure is a FetchError that names the URL and says what happened: not found, a server error, no answer
in time, a body shorter than announced, a file larger than allowed.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from kiln.version import __version__

DEFAULT_TIMEOUT = 30.0
DOCUMENT_LIMIT = 4 << 20  # a JSON document, SHA256SUMS or a signature is never this large
CHUNK = 1 << 16


class FetchError(Exception):
    def __init__(self, url: str, message: str, not_found: bool = False) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.not_found = not_found


def timeout_from(env: Mapping[str, str]) -> float:
    try:
        value = float(env.get("KILN_PLUGIN_TIMEOUT", "") or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def _ssl_context(env: Mapping[str, str]) -> ssl.SSLContext:
    for var in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        bundle = env.get(var)
        if bundle:
            try:
                return ssl.create_default_context(cafile=bundle)
            except (OSError, ssl.SSLError) as exc:
                raise FetchError(bundle, f"the CA bundle named by {var} cannot be read: {exc}") from None
    return ssl.create_default_context()


class Reader:
    """Files below one base URL (ending in ``/``)."""

    def __init__(self, base: str, env: Mapping[str, str] | None = None) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.env = os.environ if env is None else env
        self.timeout = timeout_from(self.env)
        self.scheme = urlsplit(self.base).scheme
        self._opener: urllib.request.OpenerDirector | None = None

    def url(self, rel: str) -> str:
        return urljoin(self.base, rel)

    def _open(self) -> urllib.request.OpenerDirector:
        if self._opener is None:
            self._opener = urllib.request.build_opener(
                urllib.request.ProxyHandler(),  # HTTP(S)_PROXY, NO_PROXY from the environment
                urllib.request.HTTPSHandler(context=_ssl_context(self.env)))
        return self._opener

    def get(self, rel: str, limit: int = DOCUMENT_LIMIT) -> bytes:
        """The whole file ``rel``, at most ``limit`` bytes."""
        chunks: list[bytes] = []
        self._stream(rel, chunks.append, limit, None)
        return b"".join(chunks)

    def download(self, rel: str, dest: Path, size: int) -> None:
        """File ``rel`` into ``dest``: exactly ``size`` bytes, or a FetchError."""
        with open(dest, "wb") as f:
            self._stream(rel, f.write, size, size)

    def _stream(self, rel: str, write: Callable[[bytes], object], limit: int, exact: int | None) -> None:
        url = self.url(rel)
        if self.scheme == "file":
            self._file(url, write, limit, exact)
            return
        if self.scheme not in ("http", "https"):
            raise FetchError(url, f"kiln reads mirrors over http://, https:// and file://, not {self.scheme}://")
        request = urllib.request.Request(url, headers={"User-Agent": f"kiln/{__version__}"})
        got = 0
        try:
            with self._open().open(request, timeout=self.timeout) as response:
                announced = response.headers.get("Content-Length")
                length = int(announced) if announced and announced.isdigit() else None
                if length is not None and length > limit:
                    raise FetchError(url, f"the server announces {length} bytes; at most {limit} are expected")
                while True:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > limit:
                        raise FetchError(url, f"more than the {limit} bytes expected")
                    write(chunk)
                if length is not None and got != length:
                    raise FetchError(url, f"the download stopped after {got} of {length} bytes (truncated): try again")
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                raise FetchError(url, f"{exc.code} {exc.reason}: no such file on the mirror", not_found=True) from None
            if exc.code >= 500:
                raise FetchError(url, f"server error {exc.code} {exc.reason}: try again later, or ask the mirror's "
                                      "operator") from None
            raise FetchError(url, f"HTTP {exc.code} {exc.reason}") from None
        except http.client.IncompleteRead as exc:
            raise FetchError(url, f"the download stopped after {got + len(exc.partial)} bytes (truncated): try "
                                  "again") from None
        except TimeoutError:
            raise FetchError(url, f"no answer within {self.timeout:g}s (KILN_PLUGIN_TIMEOUT): the mirror is slow "
                                  "or unreachable") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise FetchError(url, f"no answer within {self.timeout:g}s (KILN_PLUGIN_TIMEOUT)") from None
            raise FetchError(url, f"cannot connect: {reason}") from None
        except (http.client.HTTPException, OSError) as exc:  # ConnectionError, ssl.SSLError among them
            raise FetchError(url, f"the connection failed: {exc.__class__.__name__}: {exc}") from None
        if exact is not None and got != exact:
            raise FetchError(url, f"{got} bytes, but the release says {exact} (truncated or replaced)")

    def _file(self, url: str, write: Callable[[bytes], object], limit: int, exact: int | None) -> None:
        path = Path(unquote(urlsplit(url).path))
        try:
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size > limit:
                    raise FetchError(url, f"{size} bytes; at most {limit} are expected")
                if exact is not None and size != exact:
                    raise FetchError(url, f"{size} bytes, but the release says {exact} (truncated or replaced)")
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    write(chunk)
        except FileNotFoundError:
            raise FetchError(url, "no such file in the mirror", not_found=True) from None
        except IsADirectoryError:
            raise FetchError(url, "a folder, not a file") from None
        except OSError as exc:
            raise FetchError(url, f"cannot read it: {exc.strerror or exc}") from None
