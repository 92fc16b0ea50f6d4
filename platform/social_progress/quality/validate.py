"""Run a suite on pandas DataFrames with Great Expectations 1.x and summarise the result.

Why pandas: GX 1.x has no working DuckDB datasource, so marts are read into DataFrames
and validated in memory (they are small: thousands of rows per yearly refresh).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from social_progress.quality.suites import Suite

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

MAX_EXAMPLES = 5


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

    def describe(self) -> str:
        cols = self.kwargs.get("column", "")
        return (f"[{self.severity}] {self.batch}: {self.expectation}({cols}) failed for {self.unexpected_count} of "
                f"{self.element_count} rows; e.g. {self.examples[:3]}")


@dataclass
class Outcome:
    suite: str
    evaluated: int
    failures: list[Failure]

    @property
    def errors(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "error"]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.errors


def run_suite(suite: Suite, frames: dict[str, pd.DataFrame], id_columns: dict[str, list[str]] | None = None) -> Outcome:
    """Validate each batch of `suite` against the DataFrame of the same name."""
    import great_expectations as gx

    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(f"{suite.name}_source")
    failures: list[Failure] = []
    evaluated = 0
    for batch, specs in suite.batches.items():
        if batch not in frames:
            raise KeyError(f"suite {suite.name}: no data given for batch '{batch}'")
        frame = frames[batch]
        definition = source.add_dataframe_asset(batch).add_batch_definition_whole_dataframe(f"{batch}_all")
        gx_suite = context.suites.add(gx.ExpectationSuite(name=f"{suite.name}.{batch}", expectations=[s.to_gx() for s in specs]))
        validation = context.validation_definitions.add(gx.ValidationDefinition(name=f"{suite.name}.{batch}", data=definition, suite=gx_suite))
        ids = [c for c in (id_columns or {}).get(batch, []) if c in frame.columns]
        fmt = {"result_format": "COMPLETE", "partial_unexpected_count": MAX_EXAMPLES}
        if ids:
            fmt["unexpected_index_column_names"] = ids
        result = validation.run(batch_parameters={"dataframe": frame}, result_format=fmt)
        for r, spec in zip(result.results, specs):
            evaluated += 1
            if r.success:
                continue
            res = r.result or {}
            examples = (res.get("unexpected_index_list") or res.get("partial_unexpected_list") or [])[:MAX_EXAMPLES]
            failures.append(Failure(batch=batch, expectation=spec.type, kwargs=spec.kwargs, severity=spec.severity, why=spec.why,
                                    unexpected_count=int(res.get("unexpected_count") or 0),
                                    element_count=int(res.get("element_count") or len(frame)),
                                    examples=[_plain(e) for e in examples]))
    return Outcome(suite=suite.name, evaluated=evaluated, failures=failures)


def _plain(value):
    """Examples as JSON-friendly values (numpy scalars and NaN become plain Python)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
