"""Refuse a catalogue SQL query that is not exactly one SELECT (or WITH ... SELECT) statement.

Why: the query is configuration, yet it is sent to a council's live database, and some
drivers (psycopg2) send a whole string of statements at once: `COMMIT; DROP TABLE t; SELECT 1`
would end the transaction and drop the table. This check is the first line of defence, run
when the catalogue is loaded and again before anything is sent; the read-only session in
`ingest/sql.py` is the second, and a read-only database account the third.

The query is split into tokens with sqlparse (installed with dbt). Where database engines
disagree about where a string or comment ends (backslash escapes, `#` and `--x` comments,
MySQL's executable `/*! ... */` comments, PostgreSQL's dollar quoting), a reader of one
dialect could miss a statement another dialect runs, so such queries are refused rather
than guessed at. They are never needed to read a table.
"""
from __future__ import annotations

import sqlparse
from sqlparse import tokens as T

# Keywords that make a statement write, wherever they appear: a data-modifying CTE
# (PostgreSQL's `WITH d AS (DELETE ... RETURNING *) SELECT ...`), `SELECT ... INTO new_table`
# or `INTO OUTFILE`, DDL, and row locks (`FOR UPDATE`).
# (Statements that cannot be nested, such as GRANT, COPY or SET, are refused because the
# query must start with SELECT or WITH.)
_WRITING_KEYWORDS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "INTO",
                               "CREATE", "DROP", "ALTER", "TRUNCATE"})
_IGNORABLE = (T.Whitespace, T.Newline, T.Comment)


class UnsafeQuery(ValueError):
    """The query is not a single read-only SELECT; the message says why."""


def checked_query(query: str) -> str:
    """`query` without its trailing semicolon, once it is known to be a single SELECT/WITH
    statement; raises UnsafeQuery otherwise. The result can be wrapped as a subquery."""
    if not isinstance(query, str) or not query.strip():
        raise UnsafeQuery("the query is empty")
    if "\x00" in query:
        raise UnsafeQuery("the query contains a NUL character")
    statements = [s for s in sqlparse.parse(query) if _meaningful(list(s.flatten()))]
    if not statements:
        raise UnsafeQuery("the query holds no statement (only comments or semicolons)")
    if len(statements) > 1:
        raise UnsafeQuery(f"the query holds {len(statements)} statements; only one SELECT is allowed "
                          "(a semicolon ends a statement)")
    tokens = list(statements[0].flatten())
    for token in tokens:
        _check_token(token)
    meaningful = _meaningful(tokens)
    first = meaningful[0]
    if not (first.ttype in T.Keyword and first.normalized in ("SELECT", "WITH")):
        raise UnsafeQuery(f"the query must be a SELECT or WITH statement, not {first.value.split()[0]!r}")
    for token in meaningful:
        if token.ttype in T.Keyword and token.normalized in _WRITING_KEYWORDS:
            raise UnsafeQuery(f"the query uses {token.normalized}, which writes or locks; "
                              "only a read-only SELECT is allowed")
    if statements[0].get_type() != "SELECT":
        raise UnsafeQuery(f"the query is a {statements[0].get_type()} statement, not a SELECT")
    # drop the terminating semicolon (and anything after it: whitespace, comments)
    if meaningful[-1].ttype is T.Punctuation and meaningful[-1].value == ";":
        tokens = tokens[:tokens.index(meaningful[-1])]
    return "".join(t.value for t in tokens).strip()


def query_problem(query: str) -> str | None:
    """Why `query` is refused, or None when it is a single SELECT/WITH statement."""
    try:
        checked_query(query)
    except UnsafeQuery as exc:
        return str(exc)
    return None


def _meaningful(tokens: list) -> list:
    return [t for t in tokens if not any(t.ttype in kind for kind in _IGNORABLE)]


def _check_token(token) -> None:
    """Refuse tokens whose extent some engine reads differently from sqlparse."""
    value, ttype = token.value, token.ttype
    if ttype in T.Error:
        raise UnsafeQuery(f"the query cannot be parsed unambiguously near {value!r}")
    if ttype in T.Comment:
        if value.startswith("#"):
            raise UnsafeQuery("`#` comments are MySQL-only (an operator elsewhere); use `-- ` or /* */")
        if value.startswith("--") and not value[2:3].isspace() and value[2:]:
            raise UnsafeQuery("a `--` comment must be followed by a space (MySQL reads `--x` as minus minus x)")
        if value.startswith(("/*!", "/*M!")):
            raise UnsafeQuery("MySQL executable comments (/*! ... */) are not allowed")
        return
    if ttype in T.Literal and value.startswith("$"):
        raise UnsafeQuery("dollar-quoted strings are not allowed; use an ordinary 'string'")
    quoted = ttype in T.String or value[:1] in ("'", '"', "`", "[")
    if quoted and "\\" in value:
        raise UnsafeQuery("a backslash inside a quoted string or name is read differently by "
                          "different databases; it is not allowed")
    if ";" in value and ttype is not T.Punctuation and not (ttype in T.String or value[:1] in ('"', "`")):
        raise UnsafeQuery(f"unexpected semicolon in {value!r}")
