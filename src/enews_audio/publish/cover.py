"""The paper's podcast artwork: drawn from its name in large Chinese type, or the user's own image checked."""

from __future__ import annotations

import filecmp
import logging
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError
from pypinyin import lazy_pinyin

from enews_audio.atomic import replacing, write_atomic
from enews_audio.errors import PublishError

log = logging.getLogger(__name__)
_Loader = Callable[[int], ImageFont.FreeTypeFont]

# Apple's minimum: apps show artwork at a few hundred pixels, and a flat design gains nothing from more.
SIZE = 1400
_LIMITS = (1400, 3000)  # what Apple Podcasts accepts, square
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png"}
# Stored in the JPEG's comment: a cover whose stamp matches is up to date. Bump the number when the drawing
# changes, so every paper's cover is redrawn once.
_DESIGN = "enews-audio cover 1"
_SUBTITLE = "有声版"
_BACKGROUND = (150, 20, 24)  # masthead red; white on it has a contrast ratio above 8:1
_INK = (255, 255, 255)
# Fonts with Simplified Chinese glyphs, best first: the PyPI package (Noto Sans SC, OFL), then Debian's
# fonts-noto-cjk (SC is face 2 of its collections) and fonts-wqy-*.
_SYSTEM_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Black.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    index: int = 0  # face within a .ttc/.otc collection
    bold: bool = False  # regular faces are thickened with a stroke

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(self.path), size, index=self.index)


def write_cover(paper_dir: Path, paper: str, *, supplied: Path | None = None) -> Path:
    """``paper_dir/cover.jpg`` drawn for ``paper``, or ``supplied`` checked and copied as ``cover.jpg|png``.

    Nothing is rewritten when the cover in place is already the one that would be written. A cover of
    the other type left from before is removed, so the folder holds exactly one.
    """
    if supplied is not None:
        path = _copy_supplied(paper_dir, supplied)
    else:
        path = paper_dir / "cover.jpg"
        font = choose_font(paper + _SUBTITLE, find_fonts())
        stamp = f"{_DESIGN}|{paper}|{font.path.name}:{font.index}" if font else f"{_DESIGN}|{paper}|latin"
        if _stamp(path) != stamp:
            image = draw_cover(paper, font)
            with replacing(path) as tmp:
                image.save(tmp, "JPEG", quality=90, comment=stamp.encode("utf-8"))
    for extension in _EXTENSIONS.values():
        stale = path.with_suffix(extension)
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def find_fonts() -> Iterator[FontFile]:
    """Installed fonts that may carry Chinese glyphs, best first (none found is not an error)."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        pass
    else:
        packaged = Path(pylopdf_fonts_zh_cn.sans_path())
        if packaged.is_file():
            yield FontFile(packaged)
    for name, index in _SYSTEM_FONTS:
        path = Path(name)
        if path.is_file():
            yield FontFile(path, index, bold="Bold" in name or "Black" in name)


def draw_cover(paper: str, font: FontFile | None, size: int = SIZE) -> Image.Image:
    """The artwork: the name large and centred, "有声版" below a rule, a row of sound bars at the foot.

    Without a font that has every glyph, draws the name's pinyin in Latin type and logs a warning, since
    boxes in place of characters would be worse than no Chinese at all.
    """
    image = Image.new("RGB", (size, size), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    if font is None:
        log.warning(
            "no font with Chinese glyphs for %r; the cover shows its pinyin instead "
            "(pip install pylopdf-fonts-zh-cn, or apt-get install fonts-noto-cjk)",
            paper,
        )
        syllables = " ".join(word.strip() for word in lazy_pinyin(paper.strip()) if word.strip())
        lines = textwrap.wrap(syllables.upper(), 12, break_long_words=True) or ["PODCAST"]
        _draw_block(draw, lines, "AUDIO EDITION", _latin_loader(), 0.02, size)
    else:
        _draw_block(draw, _split_name(paper.strip()), _SUBTITLE, font.load, 0.0 if font.bold else 0.025, size)
    _draw_bars(draw, size)
    return image


def _split_name(name: str) -> list[str]:
    """Up to five characters on one line; longer names in two, at the space nearest the middle if any."""
    if len(name) <= 5:
        return [name]
    middle = len(name) / 2
    spaces = [i for i, char in enumerate(name) if char.isspace()]
    cut = min(spaces, key=lambda i: abs(i - middle)) if spaces else (len(name) + 1) // 2
    return [part for part in (name[:cut].strip(), name[cut:].strip()) if part]


def _draw_block(
    draw: ImageDraw.ImageDraw, lines: list[str], subtitle: str, load: _Loader, weight: float, size: int
) -> None:
    """Name lines, a rule, the subtitle: as large as fits 80 % of the width and 62 % of the height."""
    line, gap, sub = 1.2, 0.4, 0.5  # line height, gap holding the rule, subtitle size: in name sizes
    probe = load(100)
    widest = max(_width(probe, text, round(100 * weight)) for text in lines)
    name_size = int(min(80 * size / widest, size * 0.62 / (len(lines) * line + gap + sub * line)))
    sub_size = int(min(name_size * sub, 80 * size / _width(probe, subtitle, round(100 * weight))))
    font, sub_font = load(name_size), load(sub_size)
    top = size * 0.46 - (len(lines) * line * name_size + gap * name_size + line * sub_size) / 2
    for number, text in enumerate(lines):
        y = top + line * name_size * (number + 0.5)
        _text(draw, (size / 2, y), text, font, round(name_size * weight))
    rule_y = top + len(lines) * line * name_size + gap * name_size / 2
    draw.rectangle((size * 0.3, rule_y - size * 0.004, size * 0.7, rule_y + size * 0.004), fill=_INK)
    sub_y = top + len(lines) * line * name_size + gap * name_size + line * sub_size / 2
    _text(draw, (size / 2, sub_y), subtitle, sub_font, round(sub_size * weight))


def _text(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: ImageFont.FreeTypeFont, stroke: int
) -> None:
    draw.text(xy, text, font=font, fill=_INK, anchor="mm", stroke_width=stroke, stroke_fill=_INK)


def _draw_bars(draw: ImageDraw.ImageDraw, size: int) -> None:
    """A sound-level motif: nine rounded bars, tallest in the middle."""
    heights = (0.25, 0.5, 0.8, 0.55, 1.0, 0.6, 0.85, 0.45, 0.3)
    bar, gap, tallest = size * 0.025, size * 0.02, size * 0.1
    left = size / 2 - (len(heights) * bar + (len(heights) - 1) * gap) / 2
    base = size * 0.9
    for number, height in enumerate(heights):
        x = left + number * (bar + gap)
        draw.rounded_rectangle((x, base - tallest * height, x + bar, base), radius=bar / 2, fill=_INK)


def _width(font: ImageFont.FreeTypeFont, text: str, stroke: int) -> float:
    left, _, right, _ = font.getbbox(text, stroke_width=stroke)
    return max(right - left, 1)


def _latin_loader() -> _Loader:
    """Pillow's bundled FreeType font (Aileron): always there, Latin only."""
    return lambda size: ImageFont.load_default(size)  # type: ignore[return-value]


def choose_font(text: str, fonts: Iterable[FontFile]) -> FontFile | None:
    """The first of ``fonts`` with a glyph for every character of ``text``."""
    for font in fonts:
        try:
            if _covers(font.load(48), text):
                return font
        except OSError:  # unreadable or not a font: try the next
            continue
    return None


def _covers(font: ImageFont.FreeTypeFont, text: str) -> bool:
    """Every visible character has a glyph: a missing one renders exactly as the .notdef glyph does."""
    notdef = _render(font, "\U0010fffd")
    return all(_render(font, char) != notdef for char in set(text) if not char.isspace())


def _render(font: ImageFont.FreeTypeFont, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


def _stamp(path: Path) -> str | None:
    """The design stamp of the cover at ``path``; ``None`` when absent or not one of ours."""
    try:
        with Image.open(path) as image:
            comment = image.info.get("comment", b"")
    except (OSError, UnidentifiedImageError):
        return None
    return comment.decode("utf-8", "replace") if isinstance(comment, bytes) else str(comment)


def _copy_supplied(paper_dir: Path, supplied: Path) -> Path:
    kind = check_artwork(supplied)
    path = paper_dir / f"cover{_EXTENSIONS[kind]}"
    if not (path.is_file() and filecmp.cmp(supplied, path, shallow=False)):
        write_atomic(path, supplied.read_bytes())
    return path


def check_artwork(path: Path) -> str:
    """The image's real type (``JPEG`` or ``PNG``) if podcast apps accept it as artwork, else PublishError.

    Cheap (reads the header and verifies the data): call it when settings are read, to fail before a build.
    """
    try:
        with Image.open(path) as image:
            kind, (width, height), mode = image.format, image.size, image.mode
            image.verify()
    except FileNotFoundError as exc:
        raise PublishError(f"cover image {path} does not exist") from exc
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:  # verify() raises SyntaxError too
        raise PublishError(f"cover image {path} can't be read as an image: {exc}") from exc
    low, high = _LIMITS
    if kind not in _EXTENSIONS:
        raise PublishError(f"cover image {path} is {kind}; podcast apps need JPEG or PNG")
    if width != height:
        raise PublishError(f"cover image {path} is {width}×{height} pixels; it must be square")
    if not low <= width <= high:
        raise PublishError(f"cover image {path} is {width} pixels wide; it must be {low} to {high}")
    if mode != "RGB":
        raise PublishError(f"cover image {path} is in {mode} colour mode; podcast apps need RGB")
    return kind
