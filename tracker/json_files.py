"""JSON read from files people hand tracker (programme files, saved Jira responses): any text
that is not what we expect is one sentence naming where, never a traceback.

Python's parser is fine with ordinary files but raises bare errors on two hostile shapes: a
number of thousands of digits (ValueError: int conversion limit) and nesting a thousand levels
deep (RecursionError). Those are located afterwards by a quick scan, so a normal file costs
nothing extra.
"""

import json
import re
from typing import Any

#: the deepest nesting, and the longest number, that `parse` names as the problem once Python's
#: own parser has refused the file (tracker's files nest a handful of levels)
DEEPEST = 100
LONGEST_NUMBER = 100
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|-?\d{' + str(LONGEST_NUMBER + 1) + ",}")


class UnreadableJson(ValueError):
    """The text is not JSON tracker can read: `where` (line and column) and `what` is wrong."""

    def __init__(self, where: str, what: str) -> None:
        self.where, self.what = where, what
        super().__init__(f"{where}: {what}")


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _beyond_limits(text: str) -> UnreadableJson:
    depth = 0
    for token in _TOKENS.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if depth > DEEPEST:
                return UnreadableJson(
                    _where(text, token.start()), f"nested more than {DEEPEST} levels deep"
                )
        elif first in "]}":
            depth -= 1
        elif first != '"':
            digits = len(token.group().lstrip("-"))
            return UnreadableJson(_where(text, token.start()), f"a number of {digits:,} digits")
    return UnreadableJson("(file)", "too large or too deep to read")


def parse(text: str) -> Any:
    """The JSON value in `text`, or UnreadableJson saying where and what is wrong."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise UnreadableJson(where, f"invalid JSON: {exc.msg}") from None
    except (ValueError, RecursionError):
        raise _beyond_limits(text) from None
