"""events/qr.py draws codes an ordinary scanner reads; events/tokens.py reads back what it scanned.

The SVG is rendered from its own markup (its path parsed and filled with Pillow), and the
PDF by poppler's pdftoppm, as a printer would: the decoder sees what a phone would see,
not the matrix the code was built from.
"""

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen.canvas import Canvas

from events.qr import QUIET_ZONE, dark_runs, draw_qr, qr_matrix, qr_svg
from events.tokens import code_from_scan, hash_code, new_code

TICKET_LINK = "https://village.example.org/billet/Zm9vYmFyYmF6cXV4MTIzNA/"
SVG = "{http://www.w3.org/2000/svg}"
# The only commands qr_svg writes: one rectangle per horizontal run of dark modules.
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z")


@pytest.fixture
def poppler():
    """PDFs are rendered by poppler-utils (pdftoppm, pdftotext, pdfinfo), as a printer would.

    Missing locally, the PDF tests are skipped; in CI (CI or REQUIRE_BROWSER set) it is a failure.
    """
    if shutil.which("pdftoppm") is None:
        reason = "poppler-utils is not installed (apt-get install poppler-utils)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def render_svg(svg: str, pixels_per_module: int = 8) -> Image.Image:
    """Rasterise the SVG qr_svg wrote: its viewBox, its white background, its path's runs."""
    root = ET.fromstring(svg)  # noqa: S314 - our own markup
    _x, _y, width, height = (int(v) for v in root.get("viewBox").split())
    image = Image.new("L", (width * pixels_per_module, height * pixels_per_module), 128)
    draw = ImageDraw.Draw(image)
    background = root.find(f"{SVG}rect")
    assert background.get("fill") == "#fff"
    draw.rectangle([0, 0, int(background.get("width")) * pixels_per_module - 1, image.height - 1], fill=255)
    path = root.find(f"{SVG}path")
    assert path.get("fill") == "#000"
    d = path.get("d")
    assert RUN.sub("", d) == "", "the path holds nothing but runs"
    for x, y, length, back in RUN.findall(d):
        x, y, length = int(x), int(y), int(length)
        assert int(back) == length, "each run closes on itself"
        draw.rectangle(
            [
                x * pixels_per_module,
                y * pixels_per_module,
                (x + length) * pixels_per_module - 1,
                (y + 1) * pixels_per_module - 1,
            ],
            fill=0,
        )
    return image


def decode(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def pdf_page_image(pdf: bytes, tmp_path, dpi: int = 150) -> Image.Image:
    (tmp_path / "qr.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(tmp_path / "qr.pdf"), str(tmp_path / "qr")], check=True)  # noqa: S603, S607
    [png] = sorted(tmp_path.glob("qr*.png"))
    return Image.open(png)


def pdf_with_qr(data: str, mask_pattern: int | None = None, size: float = 150) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A6)
    draw_qr(canvas, data, 50, 100, size, mask_pattern=mask_pattern)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# The SVG ------------------------------------------------------------------------------------------


def test_the_svg_decodes_into_its_data():
    assert decode(render_svg(qr_svg(TICKET_LINK))) == [TICKET_LINK]


def test_the_svg_keeps_the_quiet_zone_the_standard_requires():
    matrix = qr_matrix(TICKET_LINK)
    root = ET.fromstring(qr_svg(TICKET_LINK))  # noqa: S314

    size = len(matrix) + 2 * QUIET_ZONE
    assert root.get("viewBox") == f"0 0 {size} {size}"
    first_run = RUN.search(root.find(f"{SVG}path").get("d"))
    assert (int(first_run[1]), int(first_run[2])) == (QUIET_ZONE, QUIET_ZONE), "the finder pattern starts inside it"


def test_the_svg_title_is_escaped():
    svg = qr_svg(TICKET_LINK, title="Billet <Dupont & fils>")

    assert "<title>Billet &lt;Dupont &amp; fils&gt;</title>" in svg
    ET.fromstring(svg)  # noqa: S314 - still well-formed


@pytest.mark.parametrize("mask_pattern", range(8))
def test_every_fixed_mask_pattern_still_decodes(mask_pattern):
    assert decode(render_svg(qr_svg(TICKET_LINK, mask_pattern=mask_pattern))) == [TICKET_LINK]


def test_a_fixed_mask_changes_the_drawing_not_the_size():
    searched = qr_matrix(TICKET_LINK)
    fixed = [qr_matrix(TICKET_LINK, mask_pattern=mask) for mask in range(8)]

    assert {len(matrix) for matrix in fixed} == {len(searched)}
    assert searched in fixed, "the search picks one of the eight masks"
    assert len({str(matrix) for matrix in fixed}) == 8


def test_dark_runs_cover_exactly_the_dark_modules():
    matrix = qr_matrix(TICKET_LINK)

    drawn = {(y, x + i) for y, x, length in dark_runs(matrix) for i in range(length)}

    assert drawn == {(y, x) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}


# The PDF ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("poppler")
def test_the_vector_qr_in_a_pdf_decodes(tmp_path):
    assert decode(pdf_page_image(pdf_with_qr(TICKET_LINK), tmp_path)) == [TICKET_LINK]


@pytest.mark.usefixtures("poppler")
def test_the_vector_qr_with_a_fixed_mask_decodes_in_a_pdf(tmp_path):
    assert decode(pdf_page_image(pdf_with_qr(TICKET_LINK, mask_pattern=2), tmp_path)) == [TICKET_LINK]


@pytest.mark.usefixtures("poppler")
def test_the_qr_sits_where_it_was_asked_with_its_white_quiet_zone(tmp_path):
    # 144 pt rendered at 72 dpi is 144 px: drawn at (50, 100) from the page's bottom left.
    image = pdf_page_image(pdf_with_qr(TICKET_LINK, size=144), tmp_path, dpi=72).convert("L")
    top = image.height - 100 - 144
    unit = 144 / (len(qr_matrix(TICKET_LINK)) + 2 * QUIET_ZONE)
    quiet = int(QUIET_ZONE * unit) - 1

    assert image.crop((50, top, 50 + 144, top + quiet)).getextrema()[0] > 200, "white quiet zone above"
    assert image.crop((50, top, 50 + quiet, top + 144)).getextrema()[0] > 200, "white quiet zone on the left"
    finder = int(QUIET_ZONE * unit) + 1
    assert image.getpixel((50 + finder, top + finder)) < 64, "the finder pattern starts right after it"
    assert image.crop((0, 0, image.width, top - 1)).getextrema()[0] > 200, "nothing drawn above the square"


# What a scanner reads -----------------------------------------------------------------------------


def test_a_scanned_bare_code_is_accepted():
    code = new_code()

    assert code_from_scan(code) == code
    assert code_from_scan(f"  {code}\n") == code


def test_the_whole_ticket_link_gives_its_code():
    code = new_code()

    assert code_from_scan(f"https://village.example.org/billet/{code}/") == code
    assert code_from_scan(f"https://village.example.org/billet/{code}") == code
    assert code_from_scan(f"http://localhost:8000/billet/{code}/?utm_source=mail#top") == code


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        None,
        "hello",
        "Zm9vYmFy",  # too short
        "Zm9vYmFyYmF6cXV4MTIzNA=",  # 23 characters, padding
        "Zm9vYmFyYmF6cXV4MTIz!A",  # not URL-safe base64
        "https://village.example.org/bienvenue/42/",
        "https://village.example.org/billet/Zm9vYmFyYmF6cXV4MTIzNA/extra/",
        "https://village.example.org/billet/Zm9vYmFy/",
        "WIFI:S:village;T:WPA;P:secret;;",
    ],
)
def test_anything_else_is_refused(garbage):
    assert code_from_scan(garbage) is None


def test_codes_carry_128_bits_and_their_hash_is_sha256():
    code = new_code()

    assert len(code) == 22
    assert len(hash_code(code)) == 64
    assert new_code() != code
