"""The small JQL subset the sync sends, parsed properly so a bad query fails as it would on Jira.

Grammar: ``clause (AND clause)* [ORDER BY field [ASC|DESC] (, ...)]`` where a clause is
``field op value`` or ``field in (value, ...)``. Anything outside it (OR, NOT, functions, relative
dates) raises JqlError rather than being half-understood, because a test double that silently
ignores part of a query would let a wrong query pass.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

EQUALITY_FIELDS = {"filter", "project", "key", "sprint"}
DATE_FIELDS = {"updated", "created"}
SORT_FIELDS = {"key", "updated", "created", "rank"}
ALIASES = {"issuekey": "key", "issue": "key"}
DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>>=|<=|!=|!~|=|>|<|~)
      | (?P<punct>[(),])
      | (?P<word>[^\s"'(),=!<>~]+)
    )""",
    re.VERBOSE,
)


class JqlError(ValueError):
    """A query Jira would reject, or one outside the subset; the message goes in the 400 body."""


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str  # "=", "in", ">=", ">", "<=", "<"
    values: tuple[str, ...]

    def instant(self) -> datetime:
        """The clause's date value as UTC: Jira reads JQL dates in the user's zone, ours is UTC."""
        return parse_jql_date(self.field, self.values[0])


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    order: tuple[Sort, ...]


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int

    @property
    def value(self) -> str:
        if self.kind == "string":
            return re.sub(r"\\(.)", r"\1", self.text[1:-1])
        return self.text


def parse_jql_date(field: str, text: str) -> datetime:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{text}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd'."
    )


def _tokenize(jql: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(jql):
        if not jql[position:].strip():
            break
        match = _TOKEN.match(jql, position)
        if not match or not match.lastgroup:
            raise JqlError(f"Error in the JQL Query: unexpected text at character {position + 1}.")
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, jql: str) -> None:
        self.tokens = _tokenize(jql)
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str) -> _Token:
        token = self.peek()
        if token is None:
            raise JqlError(f"Error in the JQL Query: Expecting {expected} but reached the end.")
        self.index += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token.kind == "word" and token.text.lower() == word:
            self.index += 1
            return True
        return False

    def query(self) -> Query:
        clauses: list[Clause] = []
        if self.peek() and not self._at_order_by():
            clauses.append(self.clause())
            while self.keyword("and"):
                clauses.append(self.clause())
        order = self.order_by() if self._at_order_by() else ()
        token = self.peek()
        if token is not None:
            if token.kind == "word" and token.text.lower() in {"or", "not"}:
                raise JqlError(f"Unsupported by the test Jira server: '{token.text.upper()}'.")
            raise JqlError(
                f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got '{token.text}'. "
                f"(character {token.position + 1})"
            )
        return Query(tuple(clauses), order)

    def _at_order_by(self) -> bool:
        token = self.peek()
        return bool(token and token.kind == "word" and token.text.lower() == "order")

    def clause(self) -> Clause:
        token = self.take("a field name")
        if token.kind == "punct" and token.text == "(":
            raise JqlError("Unsupported by the test Jira server: parenthesised clauses.")
        if token.kind not in {"word", "string"}:
            raise JqlError(
                f"Error in the JQL Query: Expecting a field name but got '{token.text}'."
            )
        name = token.value.lower()
        field = ALIASES.get(name, name)
        if field not in EQUALITY_FIELDS | DATE_FIELDS:
            raise JqlError(
                f"Field '{token.value}' does not exist or you do not have permission to view it."
            )
        operator = self.operator()
        allowed = {"=", "in"} if field in EQUALITY_FIELDS else {"=", ">=", ">", "<=", "<"}
        if operator not in allowed:
            raise JqlError(f"The operator '{operator}' is not supported by the '{name}' field.")
        values = self.value_list() if operator == "in" else (self.value(),)
        clause = Clause(field, operator, values)
        if field in DATE_FIELDS:
            clause.instant()
        return clause

    def operator(self) -> str:
        token = self.take("an operator")
        if token.kind == "op":
            return token.text
        if token.kind == "word" and token.text.lower() == "in":
            return "in"
        if token.kind == "word" and token.text.lower() in {"not", "is", "was", "changed"}:
            raise JqlError(f"Unsupported by the test Jira server: operator '{token.text}'.")
        raise JqlError(f"Error in the JQL Query: Expecting operator but got '{token.text}'.")

    def value(self) -> str:
        token = self.take("a value")
        if token.kind not in {"word", "string"}:
            raise JqlError(f"Error in the JQL Query: Expecting a value but got '{token.text}'.")
        following = self.peek()
        if token.kind == "word" and following and following.text == "(":
            raise JqlError(f"Unsupported by the test Jira server: function '{token.text}()'.")
        return token.value

    def value_list(self) -> tuple[str, ...]:
        opening = self.take("'('")
        if opening.text != "(":
            raise JqlError(f"Error in the JQL Query: Expecting '(' but got '{opening.text}'.")
        values = [self.value()]
        while (separator := self.take("')'")).text == ",":
            values.append(self.value())
        if separator.text != ")":
            raise JqlError(f"Error in the JQL Query: Expecting ')' but got '{separator.text}'.")
        return tuple(values)

    def order_by(self) -> tuple[Sort, ...]:
        self.keyword("order")
        if not self.keyword("by"):
            raise JqlError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.")
        order = [self.sort()]
        while (token := self.peek()) and token.text == ",":
            self.index += 1
            order.append(self.sort())
        return tuple(order)

    def sort(self) -> Sort:
        token = self.take("a field name")
        name = token.value.lower()
        field = ALIASES.get(name, name)
        if field not in SORT_FIELDS:
            raise JqlError(f"Unsupported by the test Jira server: ORDER BY '{token.value}'.")
        descending = False
        if self.keyword("desc"):
            descending = True
        else:
            self.keyword("asc")
        return Sort(field, descending)


def parse(jql: str) -> Query:
    """Parse a query of the subset; raise JqlError with Jira's wording where Jira has one."""
    return _Parser(jql or "").query()
