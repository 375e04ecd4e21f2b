"""The "professionnel des 1000 premiers jours" logo (our own drawing), SVG and PNG,
and the QR code of an entry's public verification page."""

import io

import segno
from django.utils.html import escape
from PIL import Image, ImageDraw, ImageFont

from tpj.core.urls_absolute import absolute_reverse

BLUE, RED, CREAM = "#000091", "#E1000F", "#F5F5FE"
TITLE = "Professionnel des"
SUBTITLE = "1000 premiers jours"


def verification_url(entry) -> str:
    """The absolute address of the public page confirming that `entry` may use the logo (what its QR code holds)."""
    return verification_url_of(entry.public_id)


def verification_url_of(public_id) -> str:
    """`verification_url` of the entry whose public identifier is `public_id`."""
    return absolute_reverse("registry:verification", args=[public_id])


_ANY_PUBLIC_ID = "00000000-0000-0000-0000-000000000000"


def verification_urls():
    """`verification_url_of` for the many entries of a page, for the price of one `reverse()`
    (20 of them were a tenth of a search API page's time)."""
    head, tail = verification_url_of(_ANY_PUBLIC_ID).split(_ANY_PUBLIC_ID)
    return lambda public_id: f"{head}{public_id}{tail}"


def logo_svg(caption: str = "") -> str:
    """A round badge: a dark-blue ring, a red arc (the path from pregnancy to age 2), "1000"."""
    caption_text = (
        f'<text x="160" y="300" text-anchor="middle" font-size="13" fill="{BLUE}">{escape(caption[:60])}</text>'
        if caption
        else ""
    )
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="320" height="{320 if caption else 290}" viewBox="0 0 320 {320 if caption else 290}" role="img" aria-labelledby="t">
<title id="t">Logo : {TITLE} {SUBTITLE}</title>
<circle cx="160" cy="130" r="118" fill="{CREAM}" stroke="{BLUE}" stroke-width="10"/>
<path d="M 62 170 A 104 104 0 0 0 258 170" fill="none" stroke="{RED}" stroke-width="8" stroke-linecap="round"/>
<circle cx="62" cy="170" r="9" fill="{RED}"/><circle cx="258" cy="170" r="9" fill="{BLUE}"/>
<text x="160" y="132" text-anchor="middle" font-family="Marianne, Arial, sans-serif" font-size="72" font-weight="700" fill="{BLUE}">1000</text>
<text x="160" y="82" text-anchor="middle" font-family="Marianne, Arial, sans-serif" font-size="17" fill="{BLUE}">{TITLE}</text>
<text x="160" y="165" text-anchor="middle" font-family="Marianne, Arial, sans-serif" font-size="19" font-weight="700" fill="{RED}">premiers jours</text>
<text x="160" y="278" text-anchor="middle" font-family="Marianne, Arial, sans-serif" font-size="15" fill="{BLUE}">{TITLE} {SUBTITLE}</text>
{caption_text}
</svg>"""


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def logo_png(scale: int = 2) -> bytes:
    """The same badge drawn with Pillow (no SVG renderer needed)."""
    s = scale
    image = Image.new("RGBA", (320 * s, 290 * s), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((42 * s, 12 * s, 278 * s, 248 * s), fill=CREAM, outline=BLUE, width=10 * s)
    draw.arc((56 * s, 26 * s, 264 * s, 234 * s), start=22, end=158, fill=RED, width=8 * s)
    draw.ellipse((53 * s, 161 * s, 71 * s, 179 * s), fill=RED)
    draw.ellipse((249 * s, 161 * s, 267 * s, 179 * s), fill=BLUE)
    draw.text((160 * s, 110 * s), "1000", fill=BLUE, font=_font(64 * s), anchor="mm")
    draw.text((160 * s, 76 * s), TITLE, fill=BLUE, font=_font(16 * s), anchor="mm")
    draw.text((160 * s, 158 * s), "premiers jours", fill=RED, font=_font(18 * s), anchor="mm")
    draw.text((160 * s, 272 * s), f"{TITLE} {SUBTITLE}", fill=BLUE, font=_font(15 * s), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, title="QR code de la page de vérification")


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8)
    return buffer.getvalue()
