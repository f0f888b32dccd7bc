"""QR codes as vector shapes: an SVG path for pages, a reportlab path for PDFs.

The matrix is drawn as one path of horizontal runs of dark modules, so a PDF page holds
one small path instead of hundreds of rectangles (reportlab's QrCodeWidget draws one
shape per module and is several times slower on a 1,000-ticket PDF).
"""

from collections.abc import Iterator

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around the code, as the standard requires


def qr_matrix(data: str, mask_pattern: int | None = None) -> list[list[bool]]:
    """The QR matrix without its quiet zone. A fixed `mask_pattern` (0-7) skips the mask search."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=mask_pattern)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def dark_runs(matrix: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    for y, row in enumerate(matrix):
        x, width = 0, len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


def qr_svg(data: str, title: str = "", mask_pattern: int | None = None) -> str:
    """A standalone, scalable <svg> (viewBox in modules, quiet zone included)."""
    matrix = qr_matrix(data, mask_pattern)
    size = len(matrix) + 2 * QUIET_ZONE
    path = "".join(f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{length}v1h-{length}z" for y, x, length in dark_runs(matrix))
    label = f"<title>{_escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" shape-rendering="crispEdges">'
        f'{label}<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def draw_qr(canvas, data: str, x: float, y: float, size: float, mask_pattern: int | None = None) -> None:
    """Draw the QR on a reportlab canvas with its bottom-left corner (quiet zone included) at (x, y)."""
    matrix = qr_matrix(data, mask_pattern)
    modules = len(matrix) + 2 * QUIET_ZONE
    unit = size / modules
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row, column, length in dark_runs(matrix):
        # PDF's y axis points up: row 0 is at the top of the square.
        path.rect(x + (column + QUIET_ZONE) * unit, y + size - (row + QUIET_ZONE + 1) * unit, length * unit, unit)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
