"""The Japanese catalogs, read as files: one Japanese per message, compiled, and typeset.

Django merges every app's catalog into one table, so a message id translated in two apps
shows whichever catalog happens to win. A message that means different things in two
places carries a context (``pgettext`` / ``{% translate ... context ... %}``) instead.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import trans_real

import openrd

ROOT = Path(openrd.__file__).parent
MO_FILES = sorted(ROOT.glob("**/locale/ja/LC_MESSAGES/django.mo"))
PO_FILES = sorted(ROOT.glob("**/locale/ja/LC_MESSAGES/django.po"))

# Words a Japanese text keeps in Latin letters: product and system names that are
# written the same in Japanese documents. Acronyms (PDF, ORCID, SIP...) need no entry:
# a word in capitals and digits is taken as one.
NAMES_KEPT_AS_IS = frozenset({"OpenRD", "e-Rad", "JavaScript", "WebAuthn"})
ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9-]*[A-Z0-9]$")
WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")
JAPANESE = r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]"
# A placeholder such as %(name)s holds half-width parentheses of its own.
PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|\{[^}]*\}")


def _where(path: Path) -> str:
    return str(path.relative_to(ROOT.parent))


def _key(context: str | None, msgid: str) -> str:
    return f"{context}\x04{msgid}" if context else msgid


def _show(key: object) -> str:
    if isinstance(key, tuple):
        key = f"{key[0]} [plural {key[1]}]"
    context, _, msgid = str(key).rpartition("\x04")
    return f"({context!r}, {msgid!r})" if context else f"(None, {msgid!r})"


def _mo_catalog(path: Path) -> dict[object, str]:
    with path.open("rb") as handle:
        catalog: dict[object, str] = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)  # the header
    return catalog


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    def mo_keys(self) -> dict[object, str]:
        key = _key(self.context, self.msgid)
        if self.msgid_plural is None:
            return {key: self.msgstrs.get(0, "")}
        return {(key, n): text for n, text in self.msgstrs.items()}


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    body = text.strip()
    if len(body) < 2 or body[0] != '"' or body[-1] != '"':
        raise AssertionError(f"not a quoted string: {body!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body[1:-1])


def parse_po(text: str) -> list[Entry]:
    """The live entries of a .po file (no header, no obsolete ones): enough of GNU gettext's
    format for catalogs written by makemessages."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    seen_msgid = False

    def finish() -> None:
        nonlocal current, target, seen_msgid
        if seen_msgid and current.msgid:
            entries.append(current)
        current, target, seen_msgid = Entry(), None, False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if seen_msgid:
                finish()
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue  # comments, references, previous msgids, obsolete entries
        elif line.startswith('"'):
            assert target is not None, f"line {number}: a string continues nothing"
            name, n = target
            value = _unquote(line)
            if name == "msgctxt":
                current.context = (current.context or "") + value
            elif name == "msgid":
                current.msgid += value
            elif name == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                current.msgstrs[n] += value
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and (seen_msgid and current.msgstrs):
                finish()
            if keyword == "msgctxt":
                current.context, target = _unquote(rest), ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid, target, seen_msgid = _unquote(rest), ("msgid", 0), True
                current.line = number
            elif keyword == "msgid_plural":
                current.msgid_plural, target = _unquote(rest), ("msgid_plural", 0)
            elif keyword == "msgstr":
                current.msgstrs[0], target = _unquote(rest), ("msgstr", 0)
            elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
                n = int(match.group(1))
                current.msgstrs[n], target = _unquote(rest), ("msgstr", n)
            else:
                raise AssertionError(f"line {number}: unexpected {raw!r}")
    finish()
    return entries


def _english_left_as_is(msgid: str, msgstr: str) -> bool:
    """A message whose Japanese is its English, though it holds an English word."""
    if msgstr != msgid:
        return False
    return any(
        len(word) >= 3 and word not in NAMES_KEPT_AS_IS and not ACRONYM.match(word)
        for word in WORD.findall(PLACEHOLDER.sub(" ", msgid))
    )


def _typography_faults(msgstr: str) -> list[str]:
    faults = []
    if re.search(r"[ \t][（「]", msgstr):
        faults.append("a half-width space before 「（」 or 「「」")
    bare = PLACEHOLDER.sub("", msgstr)
    if re.search(rf"{JAPANESE} ?[()]|[()] ?{JAPANESE}", bare):
        faults.append("half-width parentheses in Japanese text")
    return faults


# --- the helpers, on small made-up input --------------------------------------------


def test_parse_po_reads_contexts_plurals_flags_and_continuations():
    text = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Content-Type: text/plain; charset=UTF-8\\n"',
            "",
            "#, fuzzy",
            'msgctxt "call"',
            'msgid "Topic"',
            'msgstr "公募対象"',
            "",
            'msgid "One file"',
            'msgid_plural "%(n)s files"',
            'msgstr[0] "%(n)s件の"',
            '"ファイル"',
            "",
            '#~ msgid "Gone"',
            '#~ msgstr "削除済み"',
        ]
    )
    topic, files = parse_po(text)
    assert (topic.context, topic.msgid, topic.msgstrs, topic.flags) == (
        "call",
        "Topic",
        {0: "公募対象"},
        {"fuzzy"},
    )
    assert files.mo_keys() == {("One file", 0): "%(n)s件のファイル"}
    assert topic.mo_keys() == {"call\x04Topic": "公募対象"}


def test_english_left_as_is_spares_acronyms_and_names_only():
    assert _english_left_as_is("Status", "Status")
    assert _english_left_as_is("PDF file", "PDF file")
    assert not _english_left_as_is("PDF", "PDF")
    assert not _english_left_as_is("ORCID iD", "ORCID iD")
    assert not _english_left_as_is("OpenRD", "OpenRD")
    assert not _english_left_as_is("%(count)s", "%(count)s")
    assert not _english_left_as_is("Status", "状態")


def test_typography_faults_find_spaces_and_half_width_parentheses():
    assert _typography_faults("名称 （英語）")
    assert _typography_faults("ボタン 「送信」")
    assert _typography_faults("学認 (GakuNin) でサインイン")
    assert not _typography_faults("学認（GakuNin）でサインイン（%(institution)s）")
    assert not _typography_faults("Sign in (%(name)s)")


# --- the project's catalogs ---------------------------------------------------------


def test_the_catalogs_are_found():
    names = {_where(path) for path in MO_FILES}
    assert "openrd/locale/ja/LC_MESSAGES/django.mo" in names
    assert "openrd/core/locale/ja/LC_MESSAGES/django.mo" in names
    assert len(PO_FILES) == len(MO_FILES) >= 2


def test_every_message_has_one_japanese_across_catalogs():
    seen: dict[object, dict[str, str]] = {}
    for path in MO_FILES:
        for key, text in _mo_catalog(path).items():
            seen.setdefault(key, {})[_where(path)] = text
    clashes = [
        f"{_show(key)}: " + "; ".join(f"{where} {text!r}" for where, text in sorted(by.items()))
        for key, by in sorted(seen.items(), key=lambda item: str(item[0]))
        if len(set(by.values())) > 1
    ]
    assert not clashes, "translated differently in two catalogs (unify or add a context):\n" + (
        "\n".join(clashes)
    )


def test_django_shows_the_project_s_japanese():
    """Django's own apps listed before the project's (admin, auth...) win for a shared
    message id, so the project says it their way or gives its message a context."""
    shown = trans_real.translation("ja")._catalog
    overridden = [
        f"{_show(key)}: shown {shown.get(key)!r}, {_where(path)} says {text!r}"
        for path in MO_FILES
        for key, text in _mo_catalog(path).items()
        if shown.get(key) != text
    ]
    assert not overridden, "\n".join(overridden)


def _po_entries() -> list[tuple[Path, list[Entry]]]:
    return [(path, parse_po(path.read_text(encoding="utf-8"))) for path in PO_FILES]


def _at(path: Path, entry: Entry) -> str:
    return f"{_where(path)}:{entry.line} {_show(_key(entry.context, entry.msgid))}"


def test_every_entry_is_translated_and_compiled():
    faults = []
    for path, entries in _po_entries():
        expected: dict[object, str] = {}
        for entry in entries:
            if "fuzzy" in entry.flags:
                faults.append(f"{_at(path, entry)}: fuzzy")
            elif not entry.msgstrs or not all(entry.msgstrs.values()):
                faults.append(f"{_at(path, entry)}: untranslated")
            else:  # what msgfmt compiles
                expected |= entry.mo_keys()
        compiled = _mo_catalog(path.with_suffix(".mo"))
        if compiled != expected:
            keys = expected.keys() | compiled.keys()
            differ = sorted(_show(k) for k in keys if compiled.get(k) != expected.get(k))
            faults.append(
                f"{_where(path)}: django.mo is not compiled from django.po "
                f"({len(compiled)} compiled, {len(expected)} in the .po; differ: {differ[:10]})"
            )
    assert not faults, "\n".join(faults)


def test_every_japanese_is_typeset_and_not_left_in_english():
    faults = []
    for path, entries in _po_entries():
        for entry in entries:
            for text in entry.msgstrs.values():
                if _english_left_as_is(entry.msgid, text) or (
                    entry.msgid_plural is not None and _english_left_as_is(entry.msgid_plural, text)
                ):
                    faults.append(f"{_at(path, entry)}: the Japanese is the English {text!r}")
                faults.extend(
                    f"{_at(path, entry)}: {fault} in {text!r}" for fault in _typography_faults(text)
                )
    assert not faults, "\n".join(faults)
