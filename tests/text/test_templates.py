import pytest

from enews_audio.errors import TextError
from enews_audio.text.templates import FIELDS, load_templates


def test_shipped_templates_cover_every_line():
    templates = load_templates()
    for section, key in FIELDS:
        assert isinstance(templates.fill(section, key, **dict.fromkeys(FIELDS[section, key], "X")), str)


def test_user_file_replaces_only_its_keys(tmp_path):
    path = tmp_path / "script.toml"
    path.write_text('[page]\nclosing = "{name}版面到此结束。"\n', encoding="utf-8")
    templates = load_templates(path)
    assert templates.fill("page", "closing", paper="报", code="A01", name="要闻") == "要闻版面到此结束。"
    assert templates.fill("article", "caption", text="合影。") == load_templates().fill(
        "article", "caption", text="合影。"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[page]\nclosing = "{headline}"\n', "{headline}"),
        (
            '[page]\nending = "再见"\n',
            "bad.toml:2: page.ending: unknown key (known: closing, opening, rundown, summary)",
        ),
        ('[page]\nclosing = "{code"\n', "malformed"),
        ("[page]\nclosing = 3\n", "must be a string"),
        ("[page\n", "not valid TOML"),
    ],
)
def test_bad_templates_name_the_file(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TextError) as caught:
        load_templates(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
