"""URL rules: canonical form, crawl scope, attachments and crawler traps.

Canonicalisation (documented, with examples that the tests check, in docs/crawling.md):

* the fragment is dropped, scheme and host are lower-cased, default ports are removed;
* ``.`` and ``..`` path segments are resolved; an empty path becomes ``/``;
* percent-escapes are upper-cased, and escapes of unreserved characters (letters, digits,
  ``-._~``) are decoded;
* path parameters that carry sessions (``;jsessionid=…``, ``;sid=…``) are removed;
* query parameters that carry sessions or tracking (``sid``, ``sessionid``, ``jsessionid``,
  ``phpsessid``, ``aspsessionid…``, ``utm_*``, ``spm``, ``from``, ``timestamp``, ``_``, ``t``
  when numeric) are removed; the remaining ones are sorted; an empty query is dropped.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote_plus, urlsplit, urlunsplit

_SESSION_PATH_PARAM = re.compile(r";(?:jsessionid|sid|sessionid|phpsessid)=[^/?#]*", re.I)
_SESSION_KEYS = {
    "sid",
    "sessionid",
    "session_id",
    "jsessionid",
    "phpsessid",
    "cfid",
    "cftoken",
    "spm",
    "from",
    "timestamp",
    "_",
}
_TRACKING_PREFIXES = ("utm_", "aspsessionid")

ATTACHMENT_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".wps",
    ".xls",
    ".xlsx",
    ".et",
    ".zip",
    ".rar",
    ".7z",
    ".ofd",
)
_SKIP_EXTENSIONS = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".bmp",
    ".svg",
    ".ico",
    ".css",
    ".js",
    ".mp4",
    ".mp3",
    ".avi",
    ".flv",
    ".swf",
    ".exe",
    ".apk",
)


#: How many URLs each pure URL function below remembers (``functools.lru_cache``): a portal's
#: pages repeat the same navigation links, and the spider, the archive and the politeness
#: middleware ask about the same URL several times per page. Bounded: about 2 MB each.
_CACHE_URLS = 8192


def _is_session_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in _SESSION_KEYS or lowered.startswith(_TRACKING_PREFIXES)


@lru_cache(maxsize=_CACHE_URLS)
def canonicalize(url: str) -> str:
    """Return the canonical form of ``url`` (see the module docstring for the rules)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    else:
        netloc = host
    path = _normalize_escapes(_resolve_dots(_SESSION_PATH_PARAM.sub("", parts.path) or "/"))
    # Pairs stay as written: decoding them would garble GBK-escaped values (%C4%EA…).
    query_pairs = [pair.partition("=") for pair in _normalize_escapes(parts.query).split("&") if pair]
    query = "&".join(
        f"{key}{eq}{value}"
        for key, eq, value in sorted(query_pairs)
        if not _is_session_key(unquote_plus(key)) and not (key.lower() == "t" and value.isdigit())
    )
    return urlunsplit((scheme, netloc, path, query, ""))


_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalize_escapes(text: str) -> str:
    """Upper-case percent-escapes; decode those of unreserved characters (RFC 3986 6.2.2)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, text)


def _resolve_dots(path: str) -> str:
    """Remove ``.`` and ``..`` segments (RFC 3986 5.2.4), keeping a trailing slash."""
    if "/." not in path:
        return path
    resolved = posixpath.normpath(path)
    if resolved.startswith("//"):
        resolved = "/" + resolved.lstrip("/")
    if path.endswith(("/", "/.", "/..")) and resolved != "/":
        resolved += "/"
    return resolved


@lru_cache(maxsize=_CACHE_URLS)
def host_of(url: str) -> str:
    """The ``host[:port]`` a URL belongs to, the unit of scope and politeness."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{host}:{parts.port}" if parts.port and parts.port != default else host


@lru_cache(maxsize=_CACHE_URLS)
def extension_of(url: str) -> str:
    """The lower-cased file extension of the URL's path ("" when none)."""
    return posixpath.splitext(urlsplit(url).path)[1].lower()


@lru_cache(maxsize=_CACHE_URLS)
def is_attachment_url(url: str) -> bool:
    """True when the URL names a document file (pdf, doc, docx, wps, xls, zip, ofd…)."""
    if extension_of(url) in ATTACHMENT_EXTENSIONS:
        return True
    query = urlsplit(url).query.lower()
    return any(query.endswith(ext) or f"{ext}&" in query for ext in ATTACHMENT_EXTENSIONS)


@lru_cache(maxsize=_CACHE_URLS)
def is_skipped_url(url: str) -> bool:
    """True for URLs never worth fetching: media, scripts, styles, mail and script links."""
    lowered = url.lower()
    if lowered.startswith(("mailto:", "javascript:", "tel:", "data:")):
        return True
    return extension_of(url) in _SKIP_EXTENSIONS


@lru_cache(maxsize=_CACHE_URLS)
def trap_key(url: str) -> str:
    """A key shared by URLs that differ only in the values of their query parameters.

    A calendar that links forever (``/calendar?month=2021-03`` → ``?month=2021-04`` …) yields
    endless URLs with one key; the crawler caps how many it fetches per key.
    """
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{host_of(url)}{parts.path}?{'&'.join(keys)}" if keys else ""


@lru_cache(maxsize=_CACHE_URLS)
def looks_like_trap(url: str, *, max_length: int = 2000, max_repeats: int = 3) -> bool:
    """True for URLs that are overly long or repeat a path segment many times."""
    if len(url) > max_length:
        return True
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return any(segments.count(s) > max_repeats for s in set(segments))


_LIST_LEAF = re.compile(
    r"^(index|list|default|more|column-index)([_-]\d+)?(\.(s?html?|jsp|aspx?|php))?$", re.I)
#: Query parameters that carry a page number (compared in lower case).
PAGE_PARAMS = frozenset({
    "page", "pageno", "page_no", "pagenum", "pagenumber", "pageindex", "page_index", "currentpage",
    "current_page", "curpage", "cur_page", "currpage", "curr", "pn", "p", "pno", "pi", "pg", "pageid",
    "intpage", "nowpage", "page_num", "offsetpage",
})
_PAGING_PARAMS = PAGE_PARAMS | {"start", "startrecord"}
#: Request meta: the request asks for a list (a column's page, a data list, search results).
META_LIST = "govreports_list"


@lru_cache(maxsize=_CACHE_URLS)
def looks_like_list(url: str) -> bool:
    """True for URLs of list pages (columns, their pages, home pages): re-read every crawl.

    Detail pages and attachments, by contrast, are revalidated with conditional requests.
    """
    parts = urlsplit(url)
    leaf = parts.path.rsplit("/", 1)[-1]
    if not leaf or _LIST_LEAF.match(leaf):
        return True
    return any(key.lower() in _PAGING_PARAMS for key, _ in parse_qsl(parts.query))
