"""The PDF renderer treats templates as untrusted: sandboxed Jinja, plain
values only, and no resource from outside the template's folder."""
from __future__ import annotations

import http.server
import io
import threading
from pathlib import Path

import pypdf
import pytest

from grantflow.core.pdf import PdfTemplateError, ensure_plain, render_html, render_pdf, restricted_fetcher

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def folder(tmp_path) -> Path:
    """A template folder with its stylesheet and image."""
    root = tmp_path / "letter"
    root.mkdir()
    (root / "letter.css").write_text('@page { @bottom-right { content: "Page " counter(page) " of " counter(pages) } }')
    (root / "logo.png").write_bytes(PNG)
    return root


def write(folder: Path, html: str) -> Path:
    (folder / "letter.html").write_text(html)
    return folder


def test_renders_a_pdf_with_resources_from_its_own_folder(folder):
    write(folder, '<link rel="stylesheet" href="letter.css"><img src="logo.png" alt="">'
                  '<p>Dear {{ name }}, {{ cents|usd }}</p>')
    pdf = render_pdf(folder, {"name": "Dana Whitfield", "cents": 7_500_000})
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Dear Dana Whitfield, $75,000.00" in text
    assert "Page 1 of 1" in text  # the stylesheet was loaded: CSS page counters


def test_values_are_escaped(folder):
    write(folder, "<p>{{ name }}</p>")
    assert "&lt;script&gt;" in render_html(folder, {"name": "<script>"})


@pytest.mark.parametrize("expression", [
    "''.__class__.__mro__",
    "''.__class__.__mro__[1].__subclasses__()",
    "cycler.__init__.__globals__",
    "name.__class__",
    "config",
    "lipsum.__globals__",
    "range.__self__",
])
def test_sandbox_refuses_internals(folder, expression):
    write(folder, "{{ " + expression + " }}")
    with pytest.raises(PdfTemplateError) as refused:
        render_pdf(folder, {"name": "x"})
    assert "letter.html" in str(refused.value)


def test_sandbox_is_immutable(folder):
    write(folder, "{% do items.append(4) %}{{ items }}")
    items = [1, 2, 3]
    with pytest.raises(PdfTemplateError):
        render_html(folder, {"items": items})
    assert items == [1, 2, 3]


def test_undefined_values_fail_loudly_with_the_line(folder):
    write(folder, "<p>ok</p>\n<p>{{ recipient.nmae }}</p>")
    with pytest.raises(PdfTemplateError, match=r"letter.html \(line 2\)"):
        render_pdf(folder, {"recipient": {"name": "Dana"}})


def test_syntax_errors_name_the_line(folder):
    write(folder, "<p>ok</p>\n{% if %}")
    with pytest.raises(PdfTemplateError, match=r"line 2.*TemplateSyntaxError"):
        render_pdf(folder, {})


class Model:  # stands for an ORM object
    id = 1


@pytest.mark.parametrize("context", [{"application": Model()}, {"rows": [{"x": Model()}]}, {1: "x"}])
def test_only_plain_values_reach_a_template(context):
    with pytest.raises(TypeError):
        ensure_plain(context)


@pytest.fixture
def web_server():
    """A local HTTP server that records every request it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


@pytest.mark.parametrize("html", [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="file:///etc/ssl/openssl.cnf">',
    '<img src="../outside.png">',
    '<style>@import url("../outside.css");</style>',
    '<style>@font-face { font-family: X; src: url("/etc/fonts/fonts.conf"); } p { font-family: X }</style><p>x</p>',
    '<img src="ftp://example.org/logo.png">',
])
def test_resources_outside_the_folder_are_refused(folder, html):
    (folder.parent / "outside.png").write_bytes(PNG)
    (folder.parent / "outside.css").write_text("p { color: red }")
    write(folder, html)
    with pytest.raises(PdfTemplateError, match="refused"):
        render_pdf(folder, {})


def test_network_is_never_reached(folder, web_server):
    base, hits = web_server
    write(folder, f'<img src="{base}/logo.png"><link rel="stylesheet" href="{base}/style.css">')
    with pytest.raises(PdfTemplateError, match="refused"):
        render_pdf(folder, {})
    assert hits == []


def test_symlink_out_of_the_folder_is_refused(folder, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    (folder / "link.png").symlink_to(secret)
    write(folder, '<img src="link.png">')
    with pytest.raises(PdfTemplateError, match="outside the template folder"):
        render_pdf(folder, {})


@pytest.mark.parametrize("include, message", [
    ("passwd.txt", "passwd.txt was refused"),
    ("../secret.txt", "secret.txt was refused"),
    ("/etc/passwd", "passwd was refused"),
])
def test_a_template_cannot_include_a_link_or_a_file_outside_its_folder(folder, tmp_path, include, message):
    """Issue 16: a letter folder holding a symbolic link to /etc/passwd printed it."""
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    write(folder, '<p>{% include "' + include + '" %}</p>')
    with pytest.raises(PdfTemplateError, match=message):
        render_html(folder, {})


def test_a_letter_that_is_a_link_is_refused(folder, tmp_path):
    (tmp_path / "elsewhere.html").write_text("<p>from elsewhere</p>")
    (folder / "letter.html").symlink_to(tmp_path / "elsewhere.html")
    with pytest.raises(PdfTemplateError, match="symbolic link"):
        render_pdf(folder, {})


def test_a_link_inside_the_folder_is_refused_too(folder):
    (folder / "alias.png").symlink_to(folder / "logo.png")
    write(folder, '<img src="alias.png" alt="">')
    with pytest.raises(PdfTemplateError, match="symbolic links are not allowed"):
        render_pdf(folder, {})


def test_a_partial_in_the_folder_is_included(folder):
    (folder / "part.html").write_text("<p>a part</p>")
    write(folder, '{% include "part.html" %}')
    assert "a part" in render_html(folder, {})


def test_missing_resource_in_the_folder_is_an_error(folder):
    write(folder, '<img src="signature.png">')
    with pytest.raises(PdfTemplateError, match="signature.png does not exist"):
        render_pdf(folder, {})


def test_data_urls_are_allowed(folder):
    write(folder, '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'
                  '+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="><p>fine</p>')
    assert "fine" in pdf_text(render_pdf(folder, {}))


def test_fetcher_serves_inside_and_refuses_outside(folder):
    fetcher = restricted_fetcher(folder)
    assert fetcher((folder / "logo.png").as_uri()).read() == PNG
    with pytest.raises(PermissionError):
        fetcher("file:///etc/passwd")
    with pytest.raises(PermissionError):
        fetcher("http://127.0.0.1:9/x.png")
    assert len(fetcher.problems) == 2


def test_missing_template_is_a_clear_error(tmp_path):
    with pytest.raises(PdfTemplateError, match="letter.html does not exist"):
        render_pdf(tmp_path, {})


def test_edits_on_disk_are_picked_up(folder):
    write(folder, "<p>first</p>")
    assert "first" in render_html(folder, {})
    import os
    import time

    write(folder, "<p>second</p>")
    later = time.time() + 5
    os.utime(folder / "letter.html", (later, later))
    assert "second" in render_html(folder, {})
