"""One QR code: the matrix with qrcode's mask search, with a fixed mask, and drawn as SVG or PDF path."""

from io import BytesIO

from bench.timing import Table, timed


def run(args) -> list[Table]:
    from django.conf import settings
    from reportlab.lib.pagesizes import A6
    from reportlab.pdfgen.canvas import Canvas

    from events.qr import draw_qr, qr_matrix, qr_svg
    from events.tokens import new_code

    # A ticket's link, as the ticket PDF and page encode it (version 4 or 5 at level M).
    link = f"{settings.SITE_URL.rstrip('/')}/billet/{new_code()}/"
    repeat = args.repeat * 10
    canvas = Canvas(BytesIO(), pagesize=A6)

    searched, searched_best = timed(lambda: qr_matrix(link), repeat)
    fixed, fixed_best = timed(lambda: qr_matrix(link, mask_pattern=0), repeat)
    svg, svg_best = timed(lambda: qr_svg(link), repeat)
    pdf_path, pdf_path_best = timed(lambda: draw_qr(canvas, link, 10, 10, 150), repeat)
    pdf_path_fixed, pdf_path_fixed_best = timed(lambda: draw_qr(canvas, link, 10, 10, 150, mask_pattern=0), repeat)

    size = len(qr_matrix(link))
    table = Table(
        f"One QR code: a {len(link)}-character ticket link ({size}×{size} modules, level M), median of {repeat}",
        ["what", "call", "median ms", "best ms"],
        [
            ["matrix, mask search (qrcode's default)", "`qr_matrix(link)`", f"{searched:.2f}", f"{searched_best:.2f}"],
            ["matrix, fixed mask", "`qr_matrix(link, mask_pattern=0)`", f"{fixed:.2f}", f"{fixed_best:.2f}"],
            ["SVG for the ticket page (mask search)", "`qr_svg(link)`", f"{svg:.2f}", f"{svg_best:.2f}"],
            ["vector path on a PDF canvas (mask search)", "`draw_qr(...)`", f"{pdf_path:.2f}", f"{pdf_path_best:.2f}"],
            [
                "vector path on a PDF canvas, fixed mask",
                "`draw_qr(..., mask_pattern=0)`",
                f"{pdf_path_fixed:.2f}",
                f"{pdf_path_fixed_best:.2f}",
            ],
        ],
        [f"The mask search is {1 - fixed / searched:.0%} of the matrix's time (median against median)."],
    )
    return [table]
