"""Validating the entries of a hand-edited YAML list (the catalogue's sources, the targets)
with a pydantic model, so that a user sees every problem of every entry at once, each named
by its entry and field in plain words, rather than pydantic's first traceback."""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from pydantic import BaseModel, ValidationError


def describe_error(err: dict[str, Any], field: str | None = None) -> str:
    """One pydantic error as "field 'a.b': what is wrong" (`field` overrides its location)."""
    if field is None:
        field = ".".join(str(part) for part in err["loc"]) or "(entry)"
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        what = "is required but missing"
    elif kind == "extra_forbidden":
        what = "is not a known field"
    elif kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        what = f"{value!r} is not one of {expected}"
    elif kind == "value_error":
        what = str(err["msg"]).removeprefix("Value error, ")
        if field == "(entry)":
            return what
    elif kind == "string_pattern_mismatch":
        what = f"{value!r} does not match {ctx.get('pattern')}"
    else:
        what = f"{err['msg']} (got {value!r})"
    return f"field {field!r}: {what}"


class Validated(NamedTuple):
    index: int                  # 0-based position in the list
    name: str                   # how messages name the entry
    value: Any                  # the model instance, None when the entry is invalid
    problems: list[str]         # what is wrong with it, each "field 'x': ..."


def validate_entries(entries: list | None, model: type[BaseModel], name_of: Callable[[Any, int], str],
                     describe: Callable[[dict[str, Any]], str] = describe_error) -> list[Validated]:
    """Each entry validated by `model`, in the list's order, so that problems read in the
    order of the file; `name_of(entry, index)` names an entry in messages."""
    out = []
    for index, entry in enumerate(entries or []):
        name = name_of(entry, index)
        if not isinstance(entry, dict):
            out.append(Validated(index, name, None, [f"expected a mapping, got {type(entry).__name__}"]))
            continue
        try:
            out.append(Validated(index, name, model.model_validate(entry), []))
        except ValidationError as exc:
            out.append(Validated(index, name, None, [describe(err) for err in exc.errors()]))
    return out
