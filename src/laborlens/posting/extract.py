"""Safe text extraction from a job posting (plain text or HTML) and splitting into statements.

HTML is parsed with the standard library; script, style, template and similar elements are
dropped, nothing is fetched. Bad input raises :class:`PostingInputError` naming the problem.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from laborlens.exceptions import PostingInputError

MAX_BYTES = 1_000_000
DROP_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}
BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "table",
    "dd",
    "dt",
    "blockquote",
}
# Lines that are not work tasks: benefits, requirements, pay, legal boilerplate, how to apply.
NOT_TASK = re.compile(
    r"\b(benefits?|401\(?k\)?|pto|paid time off|dental insurance|vision|salary|per hour|"
    r"equal opportunity|eoe|apply|years? of experience|degree|diploma|license required|"
    r"licensure|certification required|required|preferred|qualifications?|we offer|"
    r"about us|our company|schedule|shift differential|sign-on)\b",
    re.IGNORECASE,
)
ENGLISH = frozenset(
    [
        "the",
        "and",
        "to",
        "of",
        "a",
        "in",
        "for",
        "with",
        "on",
        "by",
        "as",
        "or",
        "is",
        "are",
        "be",
        "will",
        "you",
        "your",
        "our",
        "we",
        "this",
        "that",
        "from",
        "at",
        "an",
        "all",
        "including",
        "other",
    ]
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in DROP_TAGS:
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n- " if tag == "li" else "\n")
        if tag in ("title", "h1"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag in DROP_TAGS and self.skip:
            self.skip -= 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self.skip and self._in != "title":
            return
        if self._in and self.title is None and data.strip():
            self.title = data.strip()
        if not self.skip:
            # source line breaks inside a block are not statement breaks
            self.parts.append(re.sub(r"\s+", " ", data))


def read_posting(source: str | Path | bytes) -> str:
    """Bytes or a file path → decoded text; empty, binary or over-large input raises. A file
    is read at most ``MAX_BYTES`` + 1 bytes (a device such as /dev/zero, or a pipe, has no
    size to check first); a missing file or a folder is a one-line error naming it."""
    if isinstance(source, Path) or (
        isinstance(source, str)
        and len(source) < 4096
        and "\n" not in source
        and Path(source).is_file()
    ):
        path = Path(source)
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError as exc:
            msg = f"{path}: no such file"
            raise PostingInputError(msg) from exc
        except IsADirectoryError as exc:
            msg = f"{path}: is a folder; expected a text or HTML file"
            raise PostingInputError(msg) from exc
        except OSError as exc:
            msg = f"{path}: cannot be read ({exc.strerror or exc})"
            raise PostingInputError(msg) from exc
        if len(data) > MAX_BYTES:
            msg = f"{path}: more than {MAX_BYTES} bytes; a posting may have at most {MAX_BYTES}"
            raise PostingInputError(msg)
        where = str(path)
    elif isinstance(source, bytes):
        data, where = source, "the posting"
    else:
        data, where = source.encode("utf-8", "surrogatepass"), "the posting"
    if len(data) > MAX_BYTES:
        msg = f"{where}: {len(data)} bytes; a posting may have at most {MAX_BYTES}"
        raise PostingInputError(msg)
    if b"\x00" in data[:8192]:
        msg = f"{where}: looks binary (NUL bytes); expected plain text or HTML"
        raise PostingInputError(msg)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, offset) + 1
        msg = (
            f"{where}: not UTF-8 text (byte 0x{data[offset]:02x} at byte offset {offset}, "
            f"line {line}); save the posting as UTF-8"
        )
        raise PostingInputError(msg) from exc
    if not text.strip():
        msg = f"{where}: the posting is empty"
        raise PostingInputError(msg)
    return text


def to_text(raw: str) -> tuple[str, str | None]:
    """(plain text, title from <title>/<h1> if HTML)."""
    if re.search(r"<\s*(html|body|div|p|ul|li|h1|br|script)\b", raw, re.IGNORECASE):
        parser = _Text()
        parser.feed(raw)
        parser.close()
        return "".join(parser.parts), parser.title
    return raw, None


def split_statements(text: str) -> list[str]:
    """Task-like statements: bullet items and sentences of 4–60 words that are not
    requirements, benefits, pay or boilerplate."""
    out: list[str] = []
    lines = text.splitlines()
    bullets = [ln for ln in lines if re.match(r"^\s*(?:[-*•·▪◦]|\d+[.)])\s+", ln)]
    # With a bulleted list, the bullets are the duties; prose is company and pay description.
    if len(bullets) >= 3:
        lines = bullets
    for line in lines:
        line = re.sub(r"^\s*(?:[-*•·▪◦]|\d+[.)])\s*", "", line).strip()
        if not line:
            continue
        for sentence in re.split(r"(?<=[.!?;])\s+(?=[A-Z])", line):
            s = sentence.strip().rstrip(".;")
            words = s.split()
            if 4 <= len(words) <= 60 and not NOT_TASK.search(s) and not s.endswith(":"):
                out.append(s)
    return list(dict.fromkeys(out))


def english_share(text: str) -> float:
    """Share of words that are common English function words (≈0.3–0.5 in English prose)."""
    words = re.findall(r"[a-zA-Z]+", text.lower())
    return sum(w in ENGLISH for w in words) / len(words) if words else 0.0
