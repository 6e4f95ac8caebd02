"""Text from people or Jira, made safe to put inside Markdown: headings, captions, messages,
expander labels, progress text. Streamlit renders all of these as Markdown, so a sprint named
`![x](https://elsewhere/x.png)` would make every viewer's browser fetch that address.

`plain` escapes with a backslash what starts a Markdown construct (links, images, emphasis, code,
HTML, maths, tables, and headings, lists and quotes at the start of a line). Streamlit also turns
bare addresses (`https://...`, `www.`, emails) into links and `:red[...]`, `:material/...:` into
colours and icons *after* parsing, where a backslash no longer counts, so those patterns are
broken with an invisible zero-width space instead. Everything else is left alone: "RB-01 (Beta),
3.5 days" reads as typed in the page and in the page's source alike.
"""

import re

ZERO_WIDTH_SPACE = "\u200b"
_ALWAYS = re.compile(r"([\\`*_{}\[\]<>!|~$#&])")
_LINE_START = re.compile(r"^([ \t]*)([-+=])", re.MULTILINE)
_NUMBERED = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)
#: where Streamlit's after-parsing rules would find a link, a colour or an icon
_AFTER_PARSING = re.compile(r"(?<=:)(?=//|[A-Za-z])|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


def plain(text: object) -> str:
    """`text` as a string that Streamlit's Markdown shows exactly as typed."""
    escaped = _ALWAYS.sub(r"\\\1", str(text))
    escaped = _LINE_START.sub(r"\1\\\2", escaped)
    escaped = _NUMBERED.sub(r"\1\\\2", escaped)
    return _AFTER_PARSING.sub(ZERO_WIDTH_SPACE, escaped)
