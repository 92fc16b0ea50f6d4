"""Run a suite on pandas DataFrames with Great Expectations 1.x and summarise the result.

Why pandas: GX 1.x has no working DuckDB datasource, so tables are read into DataFrames
and validated in memory (usually thousands of rows per yearly refresh).

Bounded on any input: a failing row-level expectation reports its true `unexpected_count`
but only a SAMPLE of its failing rows (the first MAX_FAILING_ROWS, 1,000; they feed the
quarantine) and MAX_EXAMPLES examples. GX's COMPLETE result format collected every failing
row (a 2-million-row input with many bad rows took minutes and gigabytes, issue #10), so
the SUMMARY format is used, without the pandas "unexpected index query" (a string naming
every failing row), and GX's pandas helper that turns failing rows into index records is
given only the rows of the sample (`_bound_pandas_index_lists`; GX 1.x computes all of
them and then slices). Small inputs still list all their failing rows.

Data Docs: given `docs_dir`, the validation results are rendered into a GX Data Docs site
there (index.html plus one page per batch). GX re-compiles its Jinja templates for every
page; a process-wide bytecode cache (below) keeps a site to a fraction of a second.
"""
from __future__ import annotations

import html
import logging
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from social_progress.quality.suites import Suite

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
logging.getLogger("great_expectations").setLevel(logging.ERROR)

MAX_EXAMPLES = 5
MAX_FAILING_ROWS = 1000   # failing rows reported (and quarantined) per expectation: a sample
ROW = "_row"


@dataclass
class Failure:
    batch: str
    expectation: str
    kwargs: dict
    severity: str
    why: str
    unexpected_count: int
    element_count: int
    examples: list = field(default_factory=list)
    row_level: bool = False
    rows: list = field(default_factory=list)        # `_row` numbers of failing rows (row-level, source suites):
                                                    # the first MAX_FAILING_ROWS of them
    observed: object = None                         # aggregate expectations: what GX observed

    @property
    def rows_sampled(self) -> bool:
        """True when `rows` is a sample: more rows failed than are listed."""
        return self.row_level and self.unexpected_count > len(self.rows)

    @property
    def column(self) -> str:
        col = self.kwargs.get("column")
        return col if isinstance(col, str) else ""

    @property
    def rule(self) -> str:
        return f"{self.batch}.{self.expectation}({self.column})"

    def describe(self) -> str:
        cols = self.kwargs.get("column", "")
        if self.expectation.startswith("expect_table") or (self.observed is not None and not self.examples):
            return f"[{self.severity}] {self.batch}: {self.expectation}({cols}) failed: observed {str(self.observed)[:200]}"
        return (f"[{self.severity}] {self.batch}: {self.expectation}({cols}) failed for {self.unexpected_count} of "
                f"{self.element_count} rows; e.g. {self.examples[:3]}")

    def to_dict(self) -> dict:
        return {"batch": self.batch, "expectation": self.expectation, "column": self.column, "severity": self.severity,
                "why": self.why, "unexpected_count": self.unexpected_count, "element_count": self.element_count,
                "examples": self.examples[:MAX_EXAMPLES], "observed": _plain(self.observed)}


@dataclass
class Outcome:
    suite: str
    evaluated: int
    failures: list[Failure]
    docs_index: Path | None = None

    @property
    def errors(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "error"]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.errors


def run_suite(suite: Suite, frames: dict[str, pd.DataFrame], id_columns: dict[str, list[str]] | None = None,
              params: dict | None = None, docs_dir: Path | None = None, hide_columns: tuple[str, ...] = ()) -> Outcome:
    """Validate each batch of `suite` against the DataFrame of the same name.

    `params` fill `{$PARAMETER: name}` values; `hide_columns` (personal data) are never put
    in examples or Data Docs; a frame with a `_row` column reports failing row numbers.
    """
    import great_expectations as gx

    from great_expectations.data_context.types.base import ProgressBarsConfig

    _cache_templates()
    _bound_pandas_index_lists()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    for site in list(context.get_site_names()):
        context.delete_data_docs_site(site)
    source = context.data_sources.add_pandas(f"{suite.name}_source")
    failures: list[Failure] = []
    evaluated = 0
    hidden = set(hide_columns)
    for batch, specs in suite.batches.items():
        if batch not in frames:
            raise KeyError(f"suite {suite.name}: no data given for batch '{batch}'")
        if not specs:
            continue
        frame = frames[batch]
        definition = source.add_dataframe_asset(batch).add_batch_definition_whole_dataframe(f"{batch}_all")
        gx_suite = context.suites.add(gx.ExpectationSuite(name=f"{suite.name}.{batch}", expectations=[s.to_gx(spec_index=i) for i, s in enumerate(specs)]))
        validation = context.validation_definitions.add(gx.ValidationDefinition(name=f"{suite.name}.{batch}", data=definition, suite=gx_suite))
        ids = [c for c in (id_columns or {}).get(batch, []) if c in frame.columns and c not in hidden]
        if ROW in frame.columns and ROW not in ids:
            ids = [ROW, *ids]
        fmt = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_FAILING_ROWS,
               "return_unexpected_index_query": False}
        if ids:
            fmt["unexpected_index_column_names"] = ids
        with _configurations_memoised():
            result = validation.run(batch_parameters={"dataframe": frame}, expectation_parameters=params or {},
                                    result_format=fmt)
        if hidden:
            try:
                _redact(context, result, specs, hidden)
            except Exception as exc:  # pragma: no cover - GX store internals
                logging.getLogger(__name__).warning("could not redact personal columns from Data Docs: %s", exc)
        for r in result.results:
            spec = specs[int(r.expectation_config.meta["spec_index"])]
            evaluated += 1
            if r.success:
                continue
            res = r.result or {}
            index_list = (res.get("partial_unexpected_index_list") or res.get("unexpected_index_list") or [])[:MAX_FAILING_ROWS]
            rows = [int(e[ROW]) for e in index_list if isinstance(e, dict) and e.get(ROW) is not None]
            raw_examples = index_list or res.get("partial_unexpected_list") or []
            examples = [_example(e, hidden, spec.column) for e in raw_examples[:MAX_EXAMPLES]]
            count = res.get("unexpected_count")
            observed = None
            if "observed_value" in res or res.get("details"):
                mismatched = (res.get("details") or {}).get("mismatched")
                observed = _plain({k: list(v)[:10] for k, v in mismatched.items()} if isinstance(mismatched, dict)
                                  else res.get("observed_value"))
            failures.append(Failure(batch=batch, expectation=spec.type, kwargs=_plain(spec.kwargs), severity=spec.severity,
                                    why=spec.why, unexpected_count=int(count) if count is not None else 1,
                                    element_count=int(res.get("element_count") or len(frame)) if count is not None else 0,
                                    examples=examples, row_level=spec.row_level, rows=rows, observed=observed))
    docs_index = None
    if docs_dir is not None:
        docs_index = build_docs(context, Path(docs_dir))
    return Outcome(suite=suite.name, evaluated=evaluated, failures=failures, docs_index=docs_index)


def build_docs(context, docs_dir: Path) -> Path | None:
    """Render the context's validation results as a Data Docs site in docs_dir, readable offline.

    GX copies ~4 MB of static files into every site and loads its styles and scripts from
    CDNs. The pages are rewritten (quality/docs_offline.py) to load copies of those libraries,
    vendored from the npm registry, from one shared `static/` folder beside the sites; the
    site's own `static/` becomes a link to it. GX's "how to" footer and walkthrough (help for
    GX users, not for readers of the report) are left out.
    """
    from social_progress.quality import docs_offline

    try:
        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(site_name="spi", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "site_section_builders": {"expectations": "0", "profiling": "0"},
            "show_how_to_buttons": False,
        })
        _escape_for_docs(context)
        context.build_data_docs(site_names=["spi"])
        static, shared = docs_dir / "static", docs_dir.parent / "static"
        docs_offline.write_static(shared)
        if static.is_dir() and not static.is_symlink():
            shutil.rmtree(static)
        if not static.is_symlink():
            static.symlink_to(Path("..") / "static")
        docs_offline.offline_site(docs_dir)
        index = docs_dir / "index.html"
        return index if index.exists() else None
    except Exception as exc:  # Data Docs are a report: never let them fail a check
        logging.getLogger(__name__).warning("Data Docs not built in %s: %s", docs_dir, exc)
        return None


_INDEX_LISTS_BOUNDED = False


def _bound_pandas_index_lists() -> None:
    """Make GX build the failing-row records of a non-COMPLETE result only for the rows it
    returns (`partial_unexpected_count`), not for every failing row before slicing.

    GX 1.x (`map_condition_auxilliary_methods._pandas_map_condition_index`) filters the
    batch to its failing rows, turns every one into a dict in a Python loop, then keeps the
    first `partial_unexpected_count`: minutes and gigabytes on millions of failing rows. The
    records kept are the same (the first ones, in order)."""
    global _INDEX_LISTS_BOUNDED
    if _INDEX_LISTS_BOUNDED:
        return
    try:
        from great_expectations.expectations.metrics.map_metric_provider import map_condition_auxilliary_methods as aux
        original = aux.compute_unexpected_pandas_indices
    except (ImportError, AttributeError) as exc:  # pragma: no cover - another GX version
        logging.getLogger(__name__).warning("cannot bound GX failing-row lists (GX changed?): %s", exc)
        _INDEX_LISTS_BOUNDED = True
        return

    def bounded(*args, **kwargs):
        frame = kwargs.get("domain_records_df", args[0] if args else None)
        fmt = kwargs.get("result_format", args[2] if len(args) > 2 else {}) or {}
        limit = fmt.get("partial_unexpected_count")
        if fmt.get("result_format") != "COMPLETE" and limit is not None and frame is not None and len(frame) > limit:
            if "domain_records_df" in kwargs:
                kwargs["domain_records_df"] = frame.head(limit)
            else:
                args = (frame.head(limit), *args[1:])
        return original(*args, **kwargs)

    bounded.__wrapped__ = original
    aux.compute_unexpected_pandas_indices = bounded
    _INDEX_LISTS_BOUNDED = True


@contextmanager
def _configurations_memoised():
    """Within one validation, build each expectation's configuration once, not ~65 times.

    GX 1.x re-serialises an expectation (a pydantic `.dict()` of every field) each time it
    reads `Expectation.configuration`, and validation reads it for every metric kwarg it
    looks up: 40% of the source checks' time. The memo is keyed on the expectation object
    and the identity of its field values (a reassigned field builds a new configuration);
    each caller gets its own copy with its own kwargs and meta dicts (GX replaces a
    configuration's kwargs when it resolves suite parameters), the values in them shared
    (a deep copy of a long value set costs what the memo saves); the memo is dropped when
    the validation ends.
    """
    import copy

    from great_expectations.expectations.expectation import Expectation

    original = Expectation.__dict__.get("configuration")
    if not isinstance(original, property):  # pragma: no cover - another GX version
        yield
        return
    memo: dict[int, tuple[tuple, object, object]] = {}

    def configuration(self):
        stamp = tuple(map(id, self.__dict__.values()))
        hit = memo.get(id(self))
        if hit is None or hit[0] != stamp:
            hit = (stamp, original.fget(self), self)   # holding self keeps id(self) unique
            memo[id(self)] = hit
        fresh = copy.copy(hit[1])
        fresh._kwargs, fresh.meta = dict(hit[1]._kwargs), dict(hit[1].meta)
        return fresh

    Expectation.configuration = property(configuration, doc=original.__doc__)
    try:
        yield
    finally:
        Expectation.configuration = original


_TEMPLATES_CACHED = False


def _cache_templates() -> None:
    """Give every GX Jinja environment one shared in-memory bytecode cache."""
    global _TEMPLATES_CACHED
    if _TEMPLATES_CACHED:
        return
    import jinja2
    from great_expectations.render.view import view

    class _MemoryCache(jinja2.BytecodeCache):
        def __init__(self):
            self.store: dict[str, bytes] = {}

        def load_bytecode(self, bucket):
            if bucket.key in self.store:
                bucket.bytecode_from_string(self.store[bucket.key])

        def dump_bytecode(self, bucket):
            self.store[bucket.key] = bucket.bytecode_to_string()

    cache = _MemoryCache()
    original = view.DefaultJinjaView.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.env.bytecode_cache = cache

    view.DefaultJinjaView.__init__ = __init__
    _TEMPLATES_CACHED = True


def _redact(context, result, specs, hidden: set) -> None:
    """Remove values of personal columns from the stored results (they feed Data Docs)."""
    keys = ("partial_unexpected_list", "unexpected_list", "partial_unexpected_counts", "partial_unexpected_index_list",
            "unexpected_index_list", "unexpected_index_query")
    changed = False
    for r in result.results:
        spec = specs[int(r.expectation_config.meta["spec_index"])]
        if spec.column in hidden and r.result:
            for k in keys:
                if k in r.result:
                    r.result[k] = []
                    changed = True
    if changed:
        store = context.validation_results_store
        for key in store.list_keys():
            stored = store.get(key)
            if stored.meta.get("validation_id") == result.meta.get("validation_id") or stored.suite_name == result.suite_name:
                for sr in stored.results:
                    spec = specs[int(sr.expectation_config.meta["spec_index"])]
                    if spec.column in hidden and sr.result:
                        for k in keys:
                            if k in sr.result:
                                sr.result[k] = []
                store.set(key, stored)


def _escaped(value):
    """``value`` with every string in it (dict keys included) HTML-escaped."""
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_escaped(v) for v in value)
    return value


def _escape_for_docs(context) -> None:
    """HTML-escape every feed-given string of the stored results before Data Docs render them.

    Why: GX's Jinja templates do not autoescape, and its renderers put the failing values,
    the observed columns and the expectation's arguments into the page as they are, so a
    feed value or header such as ``<script>...`` would run in the release's Data Docs (on the
    explorer's origin when served). The results of this run are escaped in the store the
    site is built from; the checks' own outcomes were taken before this point."""
    store = context.validation_results_store
    for key in store.list_keys():
        stored = store.get(key)
        for sr in stored.results:
            if sr.result:
                sr.result = _escaped(dict(sr.result))
            cfg = sr.expectation_config
            if cfg is not None and cfg.kwargs:
                cfg.kwargs = _escaped(dict(cfg.kwargs))
        store.set(key, stored)


def _example(entry, hidden: set, column: str | None):
    if isinstance(entry, dict):
        return {k: _plain(v) for k, v in entry.items() if k != ROW and k not in hidden}
    if column in hidden:
        return "(personal data withheld)"
    return _plain(entry)


def _plain(value):
    """Examples as JSON-friendly values (numpy scalars and NaN become plain Python)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, float) and value != value:
        return None
    return value
