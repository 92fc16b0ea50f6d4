"""Make GX Data Docs pages render offline and under the release's Content-Security-Policy.

Why: GX's pages load Bootstrap, jQuery, bootstrap-table and Font Awesome from CDNs and run
inline scripts (a site's index builds its table of validations in one). Offline they were
unstyled, and served with `script-src 'self'` (publish/serve.py) the index was empty. So
after GX renders a site every page is rewritten:

- CDN styles and scripts point at copies vendored from the npm registry (docs_assets/, see
  its README), kept in the shared `static/` folder beside the sites (`<site>/../static`);
  the libraries the pages do not use (Vega, for charts of distribution checks) are dropped;
- inline scripts and `onclick` handlers move to script files beside the page;
- images from GX's web bucket become GX's bundled copies, or go.

The rewriting is idempotent, so the release can apply it to Data Docs that older code built.
Links (`<a href>`) to GX's web site stay: nothing is fetched unless a reader follows one.
"""
from __future__ import annotations

import html
import importlib.util
import logging
import os
import re
import tempfile
from pathlib import Path

VENDOR = Path(__file__).with_name("docs_assets") / "vendor"
GX_WEB_IMAGES = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
GX_IMAGES = ("favicon.ico", "logo-long.png")     # the GX images the pages show, from GX's package

# GX's CDN URLs -> the vendored files (under static/vendor/) that replace them; () = dropped
CDN = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": ("bootstrap/bootstrap.min.css",),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": ("bootstrap/bootstrap.min.js",),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": ("popper.js/popper.min.js",),
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery/jquery.min.js",),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": ("bootstrap-table/bootstrap-table.min.css",),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": ("bootstrap-table/bootstrap-table.min.js",),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        ("bootstrap-table/bootstrap-table-filter-control.min.css",),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        ("bootstrap-table/bootstrap-table-filter-control.min.css",),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        ("bootstrap-table/bootstrap-table-filter-control.min.js",),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        ("bootstrap-datepicker/bootstrap-datepicker.min.css",),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        ("bootstrap-datepicker/bootstrap-datepicker.min.js",),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        ("bootstrap-dark/bootstrap-prefers-dark.min.css",),
    # only the solid icons (`fas`: a check passed or failed) are used
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        ("fontawesome-free/css/fontawesome.min.css", "fontawesome-free/css/solid.min.css"),
    "https://cdn.jsdelivr.net/npm/vega@5": (),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": (),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": (),
}

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_TAG = re.compile(r"<(link|img)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_HANDLER = re.compile(r"""\son([a-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_STYLE = re.compile(r"(<style\b[^>]*>)(.*?)(</style\s*>)", re.S | re.I)
_CSS_REMOTE_URL = re.compile(r"""url\(\s*(['"]?)(?:https?:)?//[^)]*?\1\s*\)""", re.I)
_LOCAL_STATIC = re.compile(r"^(?:\./|(?:\.\./)*)static/(.*)$")
_REMOTE = re.compile(r"^(?:https?:)?//", re.I)


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf"""\s{name}\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag, re.I)
    return None if m is None else html.unescape(m.group(1) if m.group(1) is not None else m.group(2))


def _set_attr(tag: str, name: str, value: str) -> str:
    return re.sub(rf"""(\s{name}\s*=\s*)(?:"[^"]*"|'[^']*')""", lambda m: f'{m.group(1)}"{html.escape(value)}"',
                  tag, count=1, flags=re.I)


def _vendored(url: str, static: str, make) -> str:
    """The tags loading the vendored copies of a CDN `url` ('' for a library not vendored)."""
    if url not in CDN:
        logging.getLogger(__name__).warning("Data Docs: dropped %s (not vendored)", url)
    return "".join(make(f"{static}vendor/{p}") for p in CDN.get(url, ()))


def _local(url: str, static: str) -> str:
    """A page's reference into a site's own static/ folder, pointed at the shared one."""
    m = _LOCAL_STATIC.match(url)
    return f"{static}{m.group(1)}" if m else url


def offline_page(text: str, depth: int, stem: str) -> tuple[str, dict[str, str]]:
    """A page `depth` folders below its site's root, rewritten; and the scripts its inline
    scripts and handlers moved to (file name beside the page, named after its `stem` -> source)."""
    static = "../" * (depth + 1) + "static/"
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)      # a plain file name, whatever the batch is called
    scripts: dict[str, str] = {}

    def script(m: re.Match) -> str:
        src = _attr(m.group(1), "src")
        if src is None:
            if not m.group(2).strip():
                return ""
            name = f"{stem}.{len(scripts) + 1}.js"
            scripts[name] = m.group(2)
            return f'<script src="{html.escape(name)}"></script>'
        if _REMOTE.match(src):
            return _vendored(src, static, lambda u: f'<script src="{html.escape(u)}"></script>')
        return _set_attr(m.group(0), "src", _local(src, static))

    def tag(m: re.Match) -> str:
        t, kind = m.group(0), m.group(1).lower()
        attr = "href" if kind == "link" else "src"
        url = _attr(t, attr)
        if url is None:
            return t
        if not _REMOTE.match(url):
            return _set_attr(t, attr, _local(url, static))
        if kind == "link":
            return _vendored(url, static, lambda u: f'<link rel="stylesheet" href="{html.escape(u)}">')
        name = url.split("?", 1)[0].rsplit("/", 1)[-1]
        if url.startswith(GX_WEB_IMAGES) and name in GX_IMAGES:
            return _set_attr(t, "src", f"{static}images/{name}")
        return ""

    handlers: list[tuple[str, str]] = []

    def handler(m: re.Match) -> str:
        event = m.group(1).lower()
        body = html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
        if (event, body) not in handlers:
            handlers.append((event, body))
        return f' data-on{event}="{handlers.index((event, body))}"'

    text = _SCRIPT.sub(script, text)     # first: nothing inside a script is rewritten (the index's data holds markup)
    text = _TAG.sub(tag, text)
    text = _STYLE.sub(lambda m: m.group(1) + _CSS_REMOTE_URL.sub("none", m.group(2)) + m.group(3), text)
    text = _ANY_TAG.sub(lambda m: _HANDLER.sub(handler, m.group(0)), text)
    if handlers:
        name = f"{stem}.handlers.js"
        scripts[name] = "".join(
            f'document.querySelectorAll(\'[data-on{e}="{i}"]\').forEach(function (el) {{\n'
            f'  el.addEventListener("{e}", function (event) {{ {body} }});\n}});\n'
            for i, (e, body) in enumerate(handlers))
        tag_ = f'<script src="{html.escape(name)}"></script>'
        at = text.lower().rfind("</body>")
        text = text[:at] + tag_ + text[at:] if at >= 0 else text + tag_
    return text, scripts


def offline_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """A site's files (path below the site's root -> bytes) with every page rewritten and the
    scripts moved out of them added."""
    out = dict(files)
    for path, data in files.items():
        if path.endswith(".html"):
            folder, _, name = path.rpartition("/")
            text, scripts = offline_page(data.decode("utf-8"), path.count("/"), name[:-len(".html")])
            out[path] = text.encode("utf-8")
            out.update({f"{folder}/{n}" if folder else n: s.encode("utf-8") for n, s in scripts.items()})
    return out


def offline_site(site: Path) -> None:
    """Rewrite the pages of the Data Docs site in `site` in place (the site's own static/ is left alone)."""
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.html"))
             if p.relative_to(site).parts[0] != "static"}
    for path, data in offline_files(files).items():
        if files.get(path) != data:
            (site / path).write_bytes(data)


def static_files() -> dict[str, bytes]:
    """What the shared static/ folder holds (path below it -> bytes): the vendored libraries
    with their licences, and the GX images the pages show (not GX's other 4 MB of fonts and
    animations, which no page uses)."""
    gx = importlib.util.find_spec("great_expectations")      # found, not imported (slow to import)
    images = Path(gx.origin).parent / "render" / "view" / "static" / "images"
    files = {f"images/{name}": (images / name).read_bytes() for name in GX_IMAGES}
    files.update({f"vendor/{p.relative_to(VENDOR).as_posix()}": p.read_bytes()
                  for p in sorted(VENDOR.rglob("*")) if p.is_file()})
    return files


def write_static(shared: Path) -> None:
    """Fill the shared static/ folder; files already there with the same bytes are left as
    they are (the checks of one run share it, and may build their sites at the same time)."""
    for path, data in static_files().items():
        dest = shared / path
        if dest.is_file() and dest.read_bytes() == data:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)   # atomic: a reader never sees half a file
