"""The quote PDF's fonts: static instances of the packaged variable Noto fonts, built once on disk.

Noto Sans (justmytype-western-core) covers Latin (Polish included), Noto Sans TC
(justmytype-intl-cjk) is the fallback for Traditional Chinese. Both ship only as variable fonts;
fpdf2 can instantiate them itself (`add_font(variations=…)`), but that takes about 30 s per
document, and Noto Sans TC's default instance is Thin. So the Regular (400) and Bold (700)
instances are made once with fontTools' instancer and kept in `settings.RAPPORT_FONT_CACHE`,
without the OpenType layout tables (fpdf2 shapes no text without HarfBuzz) and named after their
weight. Noto Sans TC Bold keeps only the characters of the PDF's own labels (`_bold_chinese`).

Building takes ~25 s on an idle machine (`manage.py prepare_fonts` does it ahead of time). Several processes (pytest-xdist workers, gunicorn workers) may ask at
once: one builds under an exclusive `flock`, the others wait for it and then find the files; each
file is written to a temporary name and renamed into place, so nobody ever reads half a font.
A cached file's name carries the source's package version, size and modification time, so an
upgraded font package gets new instances.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.metadata
import importlib.resources
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from fpdf import FPDF

#: fpdf2 style → the weight of its instance
STYLES = {"": 400, "B": 700}
STYLE_NAMES = {400: "Regular", 700: "Bold"}
#: tables the PDF never uses (fpdf2 shapes no text without HarfBuzz): left out, the fonts load and
#: subset much faster
UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "STAT", "DSIG")
#: part of every cached file's name; raise it when the instances are made differently
CACHE_FORMAT = "4"


@dataclass(frozen=True)
class FontSource:
    """A packaged variable font and the family name the PDF knows it by."""

    family: str
    #: the family's name in the font (and in the PDF: "NotoSansTC-Bold")
    name: str
    package: str
    distribution: str
    path: str
    #: axes pinned besides the weight (Noto Sans: normal width)
    axes: tuple[tuple[str, float], ...] = ()
    #: the bold instance keeps only these characters (None: all of them)
    bold_characters: Callable[[], frozenset[int]] | None = None

    def file(self) -> Path:
        return Path(str(importlib.resources.files(self.package) / self.path))

    def fingerprint(self) -> str:
        """Version, size and modification time of the source: a new font means new instances."""
        stat = self.file().stat()
        return f"{_version(self.distribution)}-{stat.st_size}-{stat.st_mtime_ns}"


@functools.cache
def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "0"


LATIN = FontSource(
    family="notosans",
    name="Noto Sans",
    package="justmytype_western_core",
    distribution="justmytype-western-core",
    path="fonts/ofl/notosans/NotoSans[wdth,wght].ttf",
    axes=(("wdth", 100.0),),
)


@functools.cache
def _bold_chinese() -> frozenset[int]:
    """What Noto Sans TC Bold keeps: the characters of the PDF's own labels (headings, title,
    totals), ASCII, and CJK and full-width punctuation.

    The whole font costs ~0.3 s to load into each document and as much to subset, for headings
    only; so the bold instance holds just these characters, and loads in milliseconds. Other
    Chinese text set in bold (a company's name) falls back to the regular weight (fpdf2 picks
    the fallback font that has the character)."""
    from rapport.quotes.pdf.labels import LABELS

    characters = {ord(char) for labels in LABELS.values() for text in labels.values() for char in text}
    characters.update(range(0x20, 0x7F))
    characters.update(range(0x3000, 0x3040))  # CJK symbols and punctuation
    characters.update(range(0xFF00, 0xFFF0))  # full-width forms
    return frozenset(characters)


CJK = FontSource(
    family="notosanstc",
    name="Noto Sans TC",
    package="justmytype_intl_cjk",
    distribution="justmytype-intl-cjk",
    path="fonts/ofl/notosanstc/NotoSansTC[wght].ttf",
    bold_characters=_bold_chinese,
)
#: the main font first, then the fallbacks in the order fpdf2 tries them
SOURCES = (LATIN, CJK)


def cache_dir() -> Path:
    return Path(settings.RAPPORT_FONT_CACHE)


def _kept(source: FontSource, style: str) -> frozenset[int] | None:
    return source.bold_characters() if style == "B" and source.bold_characters is not None else None


def instance_path(source: FontSource, style: str) -> Path:
    weight = STYLES[style]
    name = f"{source.family}-{weight}-v{CACHE_FORMAT}-{source.fingerprint()}"
    kept = _kept(source, style)
    if kept is not None:  # new labels, new subset
        name += "-" + hashlib.sha256(",".join(map(str, sorted(kept))).encode()).hexdigest()[:10]
    return cache_dir() / f"{name}.ttf"


def _instantiate(source: FontSource, style: str, target: Path) -> None:
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    from fontTools.varLib.instancer import instantiateVariableFont  # type: ignore[import-untyped]

    weight = STYLES[style]
    variable = TTFont(source.file())
    static = instantiateVariableFont(variable, {"wght": float(weight), **dict(source.axes)})
    for tag in UNUSED_TABLES:
        if tag in static:
            del static[tag]
    _rename(static, source.name, STYLE_NAMES[weight])
    # Store the glyph names (post table format 2): without them fontTools derives 21,000 names
    # from the character map at every load, a sixth of a Chinese quote's rendering time.
    static.getGlyphOrder()
    static["post"].formatType = 2.0
    static["post"].extraNames = []
    static["post"].mapping = {}
    kept = _kept(source, style)
    if kept is not None:
        options = subset.Options(name_IDs=["*"], name_languages=["*"], notdef_outline=True, layout_features=[])
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=kept)
        subsetter.subset(static)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            static.save(stream)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from workers running as another user
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _rename(font: Any, family: str, style: str) -> None:
    """Name the instance after its weight: the variable font's names are its default instance's
    (Noto Sans TC's is "Thin"), which is what a PDF reader would show."""
    names = font["name"]
    for name_id in (16, 17, 21, 22, 25):  # typographic and WWS names, variations prefix
        names.removeNames(nameID=name_id)
    full = family if style == "Regular" else f"{family} {style}"
    postscript = f"{family.replace(' ', '')}-{style}"
    for name_id, value in ((1, family), (2, style), (3, f"{postscript};instance"), (4, full), (6, postscript)):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    if style == "Bold":
        font["OS/2"].fsSelection = (font["OS/2"].fsSelection | 0x20) & ~0x40  # BOLD, not REGULAR
        font["head"].macStyle |= 0x01


@contextmanager
def _build_lock() -> Iterator[None]:
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def font_files() -> dict[tuple[str, str], Path]:
    """(family, style) → the static instance, built first if it is missing."""
    wanted = {(s.family, style): instance_path(s, style) for s in SOURCES for style in STYLES}
    if all(path.exists() for path in wanted.values()):
        return wanted
    prepare_fonts()
    return wanted


def prepare_fonts() -> list[tuple[Path, bool]]:
    """Build every missing instance (waiting for another process that builds them); returns each
    file and whether this call built it."""
    done: list[tuple[Path, bool]] = []
    with _build_lock():
        for source in SOURCES:
            for style in STYLES:
                target = instance_path(source, style)
                built = not target.exists()
                if built:
                    _instantiate(source, style, target)
                done.append((target, built))
        _remove_stale({path for path, _built in done})
    return done


def _remove_stale(current: set[Path]) -> None:
    """Instances of an earlier version of a font package (still under the lock)."""
    for path in cache_dir().glob("*.ttf"):
        if path not in current and any(path.name.startswith(f"{s.family}-") for s in SOURCES):
            path.unlink(missing_ok=True)


# --- use in a document ------------------------------------------------------------------------------


@functools.cache
def _characters(path: Path) -> frozenset[int]:
    """The code points a font file has glyphs for (read once per process and file)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


@dataclass(frozen=True)
class DocumentFonts:
    """The instances one document embeds, and which characters each can draw."""

    files: dict[tuple[str, str], Path]
    latin: frozenset[int]
    cjk: frozenset[int]

    def covers(self, char: str) -> bool:
        """Whether an embedded font can draw the character (emoji, for one, cannot)."""
        code = ord(char)
        return code in self.latin or code in self.cjk

    def needs_fallback(self, characters: set[str]) -> bool:
        """Whether some of the text needs Noto Sans TC: loading and subsetting it costs ~0.4 s,
        so a document without Chinese goes without it."""
        return any(ord(char) not in self.latin and ord(char) in self.cjk for char in characters)

    def add_to(self, pdf: FPDF, *, fallback: bool) -> None:
        """Noto Sans Regular and Bold, and Noto Sans TC as the fallback when the text needs it."""
        for source in SOURCES if fallback else (LATIN,):
            for style in STYLES:
                pdf.add_font(source.family, style, self.files[(source.family, style)])
        if fallback:
            pdf.set_fallback_fonts([CJK.family], exact_match=False)


def document_fonts() -> DocumentFonts:
    files = font_files()
    return DocumentFonts(
        files=files, latin=_characters(files[(LATIN.family, "")]), cjk=_characters(files[(CJK.family, "")])
    )
