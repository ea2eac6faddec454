"""PDFs from editable templates: a sandboxed Jinja environment plus WeasyPrint.

A PDF template is a folder (``letter.html``, its CSS and images, an optional
``metadata.yaml``) that an administrator edits on disk. Because those files are
edited outside code review, rendering treats them as untrusted (Indico's
receipts do the same):

- Jinja runs in an ``ImmutableSandboxedEnvironment`` and gets plain values only
  (``ensure_plain`` refuses ORM objects), so a template cannot reach the
  database, Python internals or mutate what it is given;
- WeasyPrint fetches every stylesheet, image and font through
  ``RestrictedURLFetcher``, which serves files inside the template's own folder
  and ``data:`` URLs, and refuses everything else (no network, no
  ``file://`` elsewhere). A refused or missing resource fails the render with a
  message naming it, instead of silently producing a letter without its logo.

Public API: ``render_pdf(template_dir, context) -> bytes``, ``render_html``,
``load_metadata``, ``PdfTemplateError``.
"""
from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlsplit

import yaml
from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .db import format_usd

TEMPLATE_FILE = "letter.html"
PLAIN_TYPES = (str, int, float, bool, type(None), Decimal, date, datetime)


class PdfTemplateError(Exception):
    """The template cannot be rendered; ``str()`` says where and why, for an administrator."""


def ensure_plain(value, path: str = "context"):
    """Refuse anything but dicts, lists and scalars: a template never gets an ORM object."""
    if isinstance(value, PLAIN_TYPES):
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path} has a non-string key {key!r}")
            ensure_plain(item, f"{path}.{key}")
        return value
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            ensure_plain(item, f"{path}[{index}]")
        return value
    raise TypeError(f"{path} is a {type(value).__name__}; PDF templates take plain values only "
                    "(dicts, lists, strings, numbers, dates)")


def confined_file(root: Path, relative: str) -> Path | None:
    """``root/relative`` if it is a regular file inside ``root`` reached without
    any symbolic link, else None: a template folder edited on disk must not
    reach ``/etc/passwd`` through a link or a ``..``."""
    root = Path(root).resolve()
    path = root
    for part in Path(relative).parts:
        if part in ("", ".", "..", "/") or Path(part).is_absolute():
            return None
        path = path / part
        if path.is_symlink():
            return None
    return path if path.is_file() and path.resolve().is_relative_to(root) else None


class ConfinedFileSystemLoader(FileSystemLoader):
    """Jinja's loader follows symbolic links; this one refuses them and anything
    outside its folders (``{% include "passwd" %}`` with ``passwd -> /etc/passwd``)."""

    def get_source(self, environment, template):
        for searchpath in self.searchpath:
            if (Path(searchpath) / template).exists() or Path(searchpath, template).is_symlink():
                if confined_file(Path(searchpath), template) is None:
                    raise TemplateError(f"{template} was refused: templates may not be symbolic links "
                                        "or lie outside their folder")
                return super().get_source(environment, template)
        return super().get_source(environment, template)


def _format_date(value, fmt: str = "%B %-d, %Y") -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime(fmt)


_environments: dict[tuple[str, ...], ImmutableSandboxedEnvironment] = {}
_environments_lock = threading.Lock()


def _environment(template_dir: Path, include_dirs: Iterable[Path]) -> ImmutableSandboxedEnvironment:
    """One environment per folder, kept so compiled templates are reused;
    ``auto_reload`` still picks up edits made on disk."""
    search = (str(template_dir), *(str(Path(d)) for d in include_dirs))
    with _environments_lock:
        env = _environments.get(search)
        if env is None:
            env = ImmutableSandboxedEnvironment(
                loader=ChoiceLoader([ConfinedFileSystemLoader(path) for path in search]),
                autoescape=True, undefined=StrictUndefined, auto_reload=True,
                trim_blocks=True, lstrip_blocks=True,
            )
            env.filters["usd"] = format_usd
            env.filters["usd_whole"] = lambda cents: format_usd(cents, whole=True)
            env.filters["date"] = _format_date
            _environments[search] = env
        return env


def render_html(template_dir: Path | str, context: dict, *, include_dirs: Iterable[Path] = (),
                template_name: str = TEMPLATE_FILE) -> str:
    template_dir = Path(template_dir)
    ensure_plain(context)
    env = _environment(template_dir, include_dirs)
    try:
        return env.get_template(template_name).render(**context)
    except TemplateError as exc:
        raise _template_error(exc, template_dir, template_name) from exc


def _template_error(exc: TemplateError, template_dir: Path, template_name: str) -> PdfTemplateError:
    where, line = _template_position(exc, template_dir, template_name)
    at = f" (line {line})" if line else ""
    return PdfTemplateError(f"{Path(where).name}{at} in {template_dir}: {type(exc).__name__}: {exc.message or exc}")


def _template_position(exc: TemplateError, template_dir: Path, template_name: str) -> tuple[str, int | None]:
    """The template file and line of an error: syntax errors carry them; for
    runtime errors Jinja rewrites the traceback so its frames point at the
    template lines, and the innermost template frame is the culprit."""
    if getattr(exc, "lineno", None):
        return exc.filename or template_name, exc.lineno
    where, line = template_name, None
    folders = [str(template_dir.resolve())]
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html") or any(filename.startswith(f) for f in folders):
            where, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return where, line


def compile_template(template_dir: Path | str, *, include_dirs: Iterable[Path] = (),
                     template_name: str = TEMPLATE_FILE) -> None:
    """Compile (and cache) a template ahead of use, e.g. before a worker forks."""
    template_dir = Path(template_dir)
    try:
        _environment(template_dir, include_dirs).get_template(template_name)
    except TemplateError as exc:
        raise _template_error(exc, template_dir, template_name) from exc


def load_metadata(template_dir: Path | str) -> dict:
    """``metadata.yaml`` next to the template (title, description, defaults), or {}."""
    path = Path(template_dir) / "metadata.yaml"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PdfTemplateError(f"{path}: YAML syntax error: {exc}") from exc
    if not isinstance(data, dict):
        raise PdfTemplateError(f"{path}: must be a mapping (title, description, defaults)")
    return data


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedURLFetcher(URLFetcher):
        """Serves files inside ``root`` and ``data:`` URLs; refuses the rest.

        WeasyPrint catches fetch errors and carries on, so each problem is
        also recorded in ``problems`` for ``render_pdf`` to raise afterwards."""

        def __init__(self, root: Path):
            super().__init__(timeout=1, allowed_protocols={"file", "data"}, allow_redirects=False)
            self.root = Path(root).resolve()
            self.problems: list[str] = []

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                return self._refuse(url, "only files inside the template folder may be used")
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                return self._refuse(url, "remote file URLs are not allowed")
            path = Path(unquote(parts.path))
            if not path.resolve().is_relative_to(self.root) or not path.is_relative_to(self.root):
                return self._refuse(url, "it is outside the template folder")
            relative = str(path.relative_to(self.root))
            if confined_file(self.root, relative) is None:
                if path.exists() or path.is_symlink():
                    return self._refuse(url, "symbolic links are not allowed")
                self.problems.append(f"{relative} does not exist in {self.root}")
                raise FileNotFoundError(str(path))
            return URLFetcherResponse(url, path.read_bytes(), headers={
                "Content-Type": _content_type(path)})

        def _refuse(self, url: str, why: str):
            self.problems.append(f"{url} was refused: {why}")
            raise PermissionError(f"{url}: {why}")

    return RestrictedURLFetcher


def _content_type(path: Path) -> str:
    import mimetypes

    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def restricted_fetcher(root: Path | str):
    """A WeasyPrint URL fetcher confined to ``root`` (exposed for tests and reuse)."""
    return _fetcher_class()(Path(root))


def html_to_pdf(html: str, template_dir: Path | str, *, stylesheets: Iterable[Path] = ()) -> bytes:
    """Lay out already-rendered HTML with the restricted fetcher. ``stylesheets``
    apply in order (a later one overrides an earlier one), before any the HTML
    links itself; what they refer to is looked up in ``template_dir`` too."""
    from weasyprint import CSS, HTML

    template_dir = Path(template_dir).resolve()
    fetcher = restricted_fetcher(template_dir)
    base_url = template_dir.as_uri() + "/"
    sheets = [CSS(string=Path(sheet).read_text(encoding="utf-8"), base_url=base_url, url_fetcher=fetcher)
              for sheet in stylesheets]
    pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(stylesheets=sheets)
    if fetcher.problems:
        raise PdfTemplateError("The template uses resources that cannot be loaded: "
                               + "; ".join(dict.fromkeys(fetcher.problems)))
    return pdf


def render_pdf(template_dir: Path | str, context: dict, *, include_dirs: Iterable[Path] = (),
               template_name: str = TEMPLATE_FILE, stylesheets: Iterable[Path] = ()) -> bytes:
    """Render ``template_dir/letter.html`` with ``context`` (plain values) to PDF bytes.

    ``include_dirs`` are extra folders Jinja may ``{% import %}`` from (shared
    macros); ``stylesheets`` are shared style sheets (see ``html_to_pdf``);
    images and fonts still come only from ``template_dir``."""
    template_dir = Path(template_dir)
    if not (template_dir / template_name).is_file():
        raise PdfTemplateError(f"{template_dir / template_name} does not exist")
    if confined_file(template_dir, template_name) is None:
        raise PdfTemplateError(f"{template_dir / template_name} was refused: templates may not be symbolic links")
    html = render_html(template_dir, context, include_dirs=include_dirs, template_name=template_name)
    return html_to_pdf(html, template_dir, stylesheets=stylesheets)


def warm_up() -> None:
    """Import WeasyPrint and lay out one page (fonts, Pango), so that processes
    forked afterwards (RQ's job processes) render their first PDF warm."""
    from weasyprint import HTML

    HTML(string="<p>GrantFlow</p>").write_pdf()
