"""link_records: one person, one count, across and within council systems (Splink, DuckDB).

The records of every system are stacked and deduplicated together (Splink
``link_type="dedupe_only"``), so one run finds both a resident's duplicate records
inside one system and the same resident in other systems. The model (comparisons,
blocking and training rules, and why) is in ``linkage.model``.

Steps, each deterministic for a given input and seed:

1. standardise the records unless they already are (``linkage.standardise``);
2. estimate the prior from deterministic rules, scaled by their assumed recall
   (if they find none, one match among all pairs is assumed, and recorded);
3. estimate u from a seeded random sample of ``max_pairs_for_u`` pairs (a level never
   sampled gets u = 1 / pairs sampled, recorded);
4. estimate m by expectation maximisation, blocked on dob and on first_name + surname;
   converged estimates are combined (median); a comparison or level without one falls
   back to ``model.FALLBACK_M``, recorded in ``fallbacks``;
5. score the candidate pairs of the blocking rules, keep pairs whose match probability
   is >= ``threshold_probability``, and cluster them (connected components);
6. name each cluster by its smallest record_key, so cluster ids do not depend on how
   Splink numbered them.

Privacy: records hold names, dates of birth and addresses. Nothing this module returns
beyond ``clusters`` (record keys only), logs or raises carries a record's value: the
metadata is counts, weights and SQL over column names; Splink's loggers are held at
WARNING during a run; an error inside Splink or DuckDB (whose messages can quote
values) is re-raised as ``LinkageError`` naming only the step and the error's type.
Splink's intermediate tables live in the DuckDB connection (an in-memory one by default,
with spilling to disk turned off; or the caller's, e.g. one attached to an encrypted
database) and are dropped before returning.
"""
from __future__ import annotations

import contextlib
import logging
import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

import duckdb
import pandas as pd

from . import model
from .standardise import is_standardised, parse_date, standardise

log = logging.getLogger(__name__)

_SPLINK_LOGGERS = ("splink",)


class LinkageError(RuntimeError):
    """A linkage step failed. The message names the step and the error type only."""


@dataclass
class EMSession:
    blocking_rule: str
    iterations: int
    converged: bool
    estimated: list[str]
    converged_comparisons: list[str]
    failed: str | None = None   # the error type when the session could not run

    def as_metadata(self) -> dict[str, Any]:
        return {
            "blocking_rule": self.blocking_rule,
            "iterations": self.iterations,
            "converged": self.converged,
            "estimated": list(self.estimated),
            "converged_comparisons": list(self.converged_comparisons),
            "failed": self.failed,
        }


@dataclass
class LinkageResult:
    """What link_records found.

    ``clusters``: one row per record (record_key, cluster_id), sorted by record_key;
    cluster_id is the smallest record_key of the cluster (a string). ``pairs``: record
    pairs scored at or above the threshold. ``match_weights``: the trained model, one
    row per comparison level. Everything except ``clusters`` is free of record values.
    """

    clusters: pd.DataFrame
    pairs: int
    match_weights: pd.DataFrame
    threshold_probability: float
    threshold_match_weight: float
    seconds: float
    settings_summary: str
    records: int = 0
    persons: int = 0                      # clusters, i.e. residents counted once
    comparisons_scored: int = 0           # candidate pairs from the blocking rules
    probability_two_random_records_match: float = 0.0
    em_sessions: list[EMSession] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    step_seconds: dict[str, float] = field(default_factory=dict)
    seed: int = 0

    def __repr__(self) -> str:  # counts only: never print the frames
        return (f"LinkageResult(records={self.records}, persons={self.persons}, pairs={self.pairs}, "
                f"threshold_probability={self.threshold_probability}, seconds={self.seconds}, "
                f"fallbacks={len(self.fallbacks)})")

    def as_metadata(self) -> dict[str, Any]:
        """Plain dicts, lists, numbers and strings (JSON-ready); no record values."""
        return {
            "records": int(self.records),
            "persons": int(self.persons),
            "pairs": int(self.pairs),
            "comparisons_scored": int(self.comparisons_scored),
            "threshold_probability": float(self.threshold_probability),
            "threshold_match_weight": float(self.threshold_match_weight),
            "probability_two_random_records_match": float(self.probability_two_random_records_match),
            "seconds": float(self.seconds),
            "step_seconds": {k: float(v) for k, v in self.step_seconds.items()},
            "seed": int(self.seed),
            "match_weights": _records(self.match_weights),
            "em_sessions": [s.as_metadata() for s in self.em_sessions],
            "fallbacks": list(self.fallbacks),
            "settings_summary": self.settings_summary,
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, float) and math.isnan(v):
                v = None
            elif hasattr(v, "item"):  # numpy scalar
                v = v.item()
            clean[str(k)] = v
        out.append(clean)
    return out


def probability_to_match_weight(p: float) -> float:
    return math.log2(p / (1.0 - p))


# ---- helpers -------------------------------------------------------------------------

@contextlib.contextmanager
def _quiet_splink() -> Iterator[None]:
    """Hold Splink's loggers at WARNING (its INFO messages describe the data in bulk)."""
    saved = []
    for name in _SPLINK_LOGGERS:
        lg = logging.getLogger(name)
        saved.append((lg, lg.level))
        lg.setLevel(max(lg.level, logging.WARNING))  # never louder than the caller set
    try:
        yield
    finally:
        for lg, level in saved:
            lg.setLevel(level)


class _DropDefaultMaxPairsWarning(logging.Filter):
    """Splink warns whenever max_pairs == 1e6 (its default) even when chosen on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "default value for `max_pairs`" not in record.getMessage()


def _model_input(std: pd.DataFrame) -> pd.DataFrame:
    """The frame Splink sees: record_key and the model's columns, as strings or None."""
    def text(series: pd.Series) -> pd.Series:
        return series.astype("string").reset_index(drop=True)

    def iso(value: Any) -> str | None:  # dates, or date strings from a caller's frame
        day = parse_date(value)
        return None if day is None else day.isoformat()

    codes, uniques = pd.factorize(std["dob"].astype("object"), use_na_sentinel=True)
    iso_uniques = [iso(u) for u in uniques] + [None]
    dob_iso = [iso_uniques[c] for c in codes]
    frame = pd.DataFrame(
        {
            "record_key": text(std["record_key"]),
            "first_name": text(std["first_name"]),
            "surname": text(std["surname"]),
            "dob": pd.array(dob_iso, dtype="string"),
            "dob_year": pd.array([None if d is None else d[:4] for d in dob_iso], dtype="string"),
            "postcode": text(std["postcode"]),
            "postcode_sector": text(std["postcode_sector"]),
            "uprn": text(std["uprn"]),
        }
    )
    return frame


def _raw_m(level: Any) -> float | None:
    """A level's trained m, or None when untrained / not observed."""
    value = getattr(level, "_m_probability", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0:
        return float(value)
    return None


def _floor_unobserved_u(linker: Any, floor: float) -> list[str]:
    """Levels the random sample never hit (e.g. swapped names) get u = 1 / (pairs
    sampled), about the most they could be given that none was seen, instead of Splink's
    generic default (which would make a rare agreement look common)."""
    notes = []
    for comp in linker._settings_obj.comparisons:
        for lv in comp._comparison_levels_excluding_null:
            if not lv._u_is_trained:
                lv.u_probability = floor
                notes.append(f"{comp.output_column_name} / {lv.label_for_charts}: "
                             f"not observed in the u sample; u set to 1/(pairs sampled)")
    return notes


def _train_m(linker: Any) -> tuple[list[EMSession], list[str]]:
    """EM sessions, then set every comparison's m from converged estimates or fallbacks."""
    sessions: list[EMSession] = []
    estimates: dict[tuple[str, str], list[float]] = {}
    has_converged: set[str] = set()

    for rule in model.EM_BLOCKING_RULES:
        # A session narrows the linker's comparisons while it runs and restores them only
        # when it succeeds: keep a copy to put back if it fails.
        snapshot = linker._settings_obj.core_model_settings.copy()
        try:
            session = linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception as exc:  # noqa: BLE001 - recorded, and the fallback takes over
            linker._settings_obj.core_model_settings = snapshot
            sessions.append(EMSession(rule, 0, False, [], [], failed=type(exc).__name__))
            continue
        history = session._core_model_settings_history
        iterations = max(len(history) - 1, 0)
        estimated, converged_here = [], []
        if len(history) >= 2:
            previous = {c.output_column_name: c for c in history[-2].comparisons}
            for comp in history[-1].comparisons:
                name = comp.output_column_name
                estimated.append(name)
                before = previous.get(name)
                change = 0.0
                for lv_now, lv_before in zip(comp._comparison_levels_excluding_null,
                                             before._comparison_levels_excluding_null):
                    # the effective m (Splink's starting default when untrained)
                    change = max(change, abs(float(lv_now.m_probability) - float(lv_before.m_probability)))
                if change < model.EM_CONVERGENCE:
                    converged_here.append(name)
                    has_converged.add(name)
                    for lv in comp._comparison_levels_excluding_null:
                        m = _raw_m(lv)
                        if m is not None:
                            estimates.setdefault((name, lv.label_for_charts), []).append(m)
        sessions.append(EMSession(
            rule, iterations,
            converged=bool(estimated) and len(converged_here) == len(estimated),
            estimated=estimated, converged_comparisons=converged_here,
        ))

    fallbacks: list[str] = []
    for comp in linker._settings_obj.comparisons:
        name = comp.output_column_name
        levels = comp._comparison_levels_excluding_null
        prior = model.FALLBACK_M[name]
        if name not in has_converged:
            fallbacks.append(f"{name}: no converged EM estimate; fallback m used for all levels")
            values = [prior[lv.label_for_charts] for lv in levels]
        else:
            values = []
            for lv in levels:
                got = estimates.get((name, lv.label_for_charts))
                if got:
                    values.append(statistics.median(got))
                else:
                    fallbacks.append(f"{name} / {lv.label_for_charts}: level not observed in EM; fallback m used")
                    values.append(prior[lv.label_for_charts])
        total = sum(values)
        for lv, v in zip(levels, values):
            lv.m_probability = v / total
    return sessions, fallbacks


def _match_weights(linker: Any) -> pd.DataFrame:
    rows = []
    specs = {c.name: c for c in model.COMPARISONS}
    for comp in linker._settings_obj.comparisons:
        spec = specs[comp.output_column_name]
        tf_levels = {lv.label for lv in spec.levels if lv.tf_column}
        for lv in comp.comparison_levels:
            if lv.is_null_level:
                m = u = None
                weight = 0.0
            else:
                m, u = float(lv.m_probability), float(lv.u_probability)
                weight = math.log2(m / u) if m > 0 and u > 0 else float("nan")
            rows.append({
                "comparison": comp.output_column_name,
                "level": lv.label_for_charts,
                "comparison_vector_value": int(lv.comparison_vector_value),
                "is_null_level": bool(lv.is_null_level),
                "tf_adjusted": lv.label_for_charts in tf_levels,
                "m_probability": m,
                "u_probability": u,
                "bayes_factor": None if m is None else (m / u if u else float("inf")),
                "match_weight": weight,
            })
    frame = pd.DataFrame(rows)
    for col in ("m_probability", "u_probability", "bayes_factor", "match_weight"):
        frame[col] = frame[col].astype("float64")
    return frame


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.sql(sql).fetchone()[0])


# ---- the entry point -----------------------------------------------------------------

def link_records(
    records: pd.DataFrame,
    *,
    threshold_probability: float = 0.9,
    seed: int = 42,
    deterministic_rules_recall: float = 0.8,
    max_pairs_for_u: int = 1_000_000,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> LinkageResult:
    """Link records of the same resident (see the module doc for the steps).

    ``records``: raw person records (``standardise``'s input) or already standardised
    ones (every ``standardise.STANDARD_COLUMNS`` present). ``connection``: a DuckDB
    connection for Splink's tables (default: a new in-memory one, closed afterwards).
    """
    started = time.perf_counter()
    if not 0.0 < threshold_probability < 1.0:
        raise ValueError("threshold_probability must be strictly between 0 and 1")
    if not 0.0 < deterministic_rules_recall <= 1.0:
        raise ValueError("deterministic_rules_recall must be in (0, 1]")
    if int(max_pairs_for_u) < 1:
        raise ValueError("max_pairs_for_u must be positive")
    # Splink's DuckDB sampling ignores a seed of 0 (falsy), so 0 is mapped to a fixed value.
    splink_seed = int(seed) if int(seed) != 0 else 2_147_483_647

    std = records if is_standardised(records) else standardise(records)
    frame = _model_input(std)
    n_records = len(frame)
    missing_keys = int(frame["record_key"].isna().sum())
    repeated_keys = int(frame["record_key"].duplicated().sum()) - max(missing_keys - 1, 0)
    if missing_keys or repeated_keys:
        raise ValueError(f"record_key must be present and unique: {missing_keys} missing, "
                         f"{repeated_keys} repeated")
    if n_records < 2:
        raise ValueError("linkage needs at least two records")

    from splink import DuckDBAPI, Linker  # imported late: splink's import is slowish

    own = connection is None
    con = duckdb.connect(":memory:") if own else connection
    if own:
        con.execute("SET temp_directory = ''")       # never spill record data to disk
        con.execute("SET enable_progress_bar = false")

    steps: dict[str, float] = {}
    step = "setup"
    mark = time.perf_counter()

    def done(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = round(now - mark, 3)
        mark = now

    linker = None
    drop_filter = _DropDefaultMaxPairsWarning()
    training_logger = logging.getLogger("splink.internals.linker_components.training")
    try:
        with _quiet_splink():
            training_logger.addFilter(drop_filter)
            try:
                db_api = DuckDBAPI(connection=con)
                linker = Linker(frame, model.splink_settings(), db_api=db_api,
                                set_up_basic_logging=False)
                done("setup")

                step = "prior"
                linker.training.estimate_probability_two_random_records_match(
                    list(model.DETERMINISTIC_RULES), recall=deterministic_rules_recall
                )
                prior = float(linker._settings_obj._probability_two_random_records_match)
                prior_note = []
                if prior <= 0.0:
                    # no deterministic match at all (tiny or very clean input): assume one
                    # match among all pairs rather than none, so the model can still work
                    prior = 2.0 / (n_records * (n_records - 1))
                    linker._settings_obj._probability_two_random_records_match = prior
                    prior_note = ["prior: the deterministic rules found no pairs; "
                                  "set to one expected match among all pairs"]
                done("prior")

                step = "u"
                linker.training.estimate_u_using_random_sampling(
                    max_pairs=int(max_pairs_for_u), seed=splink_seed
                )
                sampled_pairs = min(int(max_pairs_for_u), n_records * (n_records - 1) // 2)
                u_fallbacks = _floor_unobserved_u(linker, 1.0 / sampled_pairs)
                done("u")

                step = "m"
                sessions, fallbacks = _train_m(linker)
                fallbacks = prior_note + u_fallbacks + fallbacks
                # EM may move the prior inside a session but does not keep it; keep ours.
                linker._settings_obj._probability_two_random_records_match = prior
                done("m")

                step = "predict"
                scored = linker.inference.predict()
                comparisons_scored = _count(con, f"SELECT count(*) FROM {scored.physical_name}")
                pairs = _count(
                    con,
                    f"SELECT count(*) FROM {scored.physical_name} "
                    f"WHERE match_probability >= {threshold_probability!r}",
                )
                done("predict")

                step = "cluster"
                clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
                    scored, threshold_match_probability=threshold_probability
                )
                # the stable id: the smallest record_key of each cluster
                clusters = con.sql(
                    f"""
                    SELECT record_key,
                           min(record_key) OVER (PARTITION BY cluster_id) AS cluster_id
                    FROM {clustered.physical_name}
                    ORDER BY record_key
                    """
                ).df()
                done("cluster")

                step = "weights"
                weights = _match_weights(linker)
            finally:
                # still quiet: Splink logs each table it drops
                if linker is not None:
                    with contextlib.suppress(Exception):
                        linker._db_api.delete_tables_created_by_splink_from_db()
                    with contextlib.suppress(Exception):
                        con.unregister("__splink__input_table_0")
                training_logger.removeFilter(drop_filter)
    except Exception as exc:
        # Splink/DuckDB messages may quote record values: keep only the step and type.
        hint = ""
        if step == "prior" and isinstance(exc, ValueError):
            hint = ": the deterministic rules found more pairs than deterministic_rules_recall allows"
        raise LinkageError(f"linkage failed at step '{step}' ({type(exc).__name__}){hint}") from None
    finally:
        if own:
            con.close()

    clusters = pd.DataFrame(
        {
            "record_key": clusters["record_key"].astype("object").astype(str).to_numpy(),
            "cluster_id": clusters["cluster_id"].astype("object").astype(str).to_numpy(),
        }
    )
    seconds = time.perf_counter() - started
    log.info("linkage: %d records, %d pairs at or above %.3f, %d clusters, %.1f s",
             n_records, pairs, threshold_probability, clusters["cluster_id"].nunique(), seconds)
    return LinkageResult(
        clusters=clusters,
        pairs=int(pairs),
        match_weights=weights,
        threshold_probability=float(threshold_probability),
        threshold_match_weight=probability_to_match_weight(threshold_probability),
        seconds=round(seconds, 3),
        settings_summary=model.settings_summary(),
        records=n_records,
        persons=int(clusters["cluster_id"].nunique()),
        comparisons_scored=comparisons_scored,
        probability_two_random_records_match=prior,
        em_sessions=sessions,
        fallbacks=fallbacks,
        step_seconds=steps,
        seed=int(seed),
    )
