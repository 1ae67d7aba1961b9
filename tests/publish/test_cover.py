import logging
import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from enews_audio.errors import PublishError
from enews_audio.publish.cover import check_artwork, choose_font, draw_cover, find_fonts, write_cover

PAPER = "山城晚报"
FONTS = list(find_fonts())
CJK = choose_font(PAPER + "有声版", FONTS)
needs_cjk_font = pytest.mark.skipif(CJK is None, reason="no font with Chinese glyphs installed")


def image(
    path: Path, size: int = 1400, mode: str = "RGB", kind: str = "PNG", height: int | None = None
) -> Path:
    """A picture with some content (a flat one would compress to nothing and prove little)."""
    picture = Image.new("RGB", (size, height or size), "white")
    picture.paste((180, 20, 20), (10, 10, 200, 200))
    picture.convert(mode).save(path, kind)
    return path


def test_generated_cover_is_square_rgb_jpeg_named_for_its_type(tmp_path):
    path = write_cover(tmp_path, PAPER)
    assert path == tmp_path / "cover.jpg"
    with Image.open(path) as cover:
        assert cover.format == "JPEG"
        assert cover.mode == "RGB"
        assert cover.width == cover.height and 1400 <= cover.width <= 3000
        colours = cover.convert("L").getextrema()
    assert colours[1] - colours[0] > 150  # text stands out from the background
    assert path.stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.glob("*.tmp"))


@needs_cjk_font
def test_the_name_is_drawn_in_chinese_when_a_font_has_the_glyphs():
    chinese = draw_cover(PAPER, CJK)
    other = draw_cover("海港日报", CJK)
    latin = draw_cover(PAPER, None)
    assert ImageChops.difference(chinese, other).getbbox() is not None
    assert ImageChops.difference(chinese, latin).getbbox() is not None


@needs_cjk_font
def test_a_font_missing_any_character_is_not_chosen():
    assert choose_font(PAPER, FONTS) is not None
    assert choose_font(PAPER + "\U00013000", FONTS) is None  # an Egyptian hieroglyph: no CJK font has it


def test_without_a_chinese_font_the_cover_is_latin_and_a_warning_says_so(caplog):
    with caplog.at_level(logging.WARNING):
        cover = draw_cover(PAPER, None)
    assert cover.size == (1400, 1400) and cover.mode == "RGB"
    assert any("no font with Chinese glyphs" in r.getMessage() for r in caplog.records)
    extrema = cover.convert("L").getextrema()
    assert extrema[1] - extrema[0] > 150


def test_an_up_to_date_cover_is_not_redrawn_but_a_new_name_is(tmp_path):
    path = write_cover(tmp_path, PAPER)
    os.utime(path, ns=(1, 1))
    write_cover(tmp_path, PAPER)
    assert path.stat().st_mtime_ns == 1
    write_cover(tmp_path, "海港日报")
    assert path.stat().st_mtime_ns != 1


def test_a_damaged_cover_is_redrawn(tmp_path):
    (tmp_path / "cover.jpg").write_bytes(b"not a picture")
    path = write_cover(tmp_path, PAPER)
    with Image.open(path) as cover:
        assert cover.format == "JPEG"


def test_a_supplied_png_is_copied_as_png_and_replaces_the_drawn_cover(tmp_path):
    write_cover(tmp_path / "out", PAPER)
    supplied = image(tmp_path / "art.png", 1600)
    path = write_cover(tmp_path / "out", PAPER, supplied=supplied)
    assert path == tmp_path / "out" / "cover.png"
    assert path.read_bytes() == supplied.read_bytes()
    assert not (tmp_path / "out" / "cover.jpg").exists()


def test_the_extension_follows_the_real_type_not_the_name(tmp_path):
    supplied = image(tmp_path / "art.png", 1400, kind="JPEG")
    assert write_cover(tmp_path / "out", PAPER, supplied=supplied).name == "cover.jpg"


def test_a_supplied_cover_already_in_place_is_not_rewritten(tmp_path):
    supplied = image(tmp_path / "art.jpg", 3000, kind="JPEG")
    path = write_cover(tmp_path / "out", PAPER, supplied=supplied)
    os.utime(path, ns=(1, 1))
    write_cover(tmp_path / "out", PAPER, supplied=supplied)
    assert path.stat().st_mtime_ns == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: image(p, 1400, height=1500), "must be square"),
        (lambda p: image(p, 1000), "must be 1400 to 3000"),
        (lambda p: image(p, 3001), "must be 1400 to 3000"),
        (lambda p: image(p, 1400, mode="RGBA"), "RGBA colour mode"),
        (lambda p: image(p, 1400, mode="L"), "L colour mode"),
        (lambda p: image(p, 1400, mode="CMYK", kind="JPEG"), "CMYK colour mode"),
        (lambda p: image(p, 1400, kind="GIF"), "JPEG or PNG"),
        (lambda p: p.write_bytes(b"<svg/>") and p, "can't be read as an image"),
        (lambda p: p, "does not exist"),
    ],
    ids=["oblong", "small", "large", "rgba", "grey", "cmyk", "gif", "not-image", "missing"],
)
def test_an_unusable_supplied_cover_is_one_line_naming_the_file(tmp_path, make, message):
    supplied = make(tmp_path / "art.img")
    with pytest.raises(PublishError) as caught:
        write_cover(tmp_path / "out", PAPER, supplied=tmp_path / "art.img")
    text = str(caught.value)
    assert message in text and str(supplied) in text and "\n" not in text
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_check_artwork_names_the_real_type(tmp_path):
    assert check_artwork(image(tmp_path / "a.png", 1500)) == "PNG"
    assert check_artwork(image(tmp_path / "b.png", 1500, kind="JPEG")) == "JPEG"
