"""The linkage model: comparisons, blocking rules and training rules, as plain data.

Everything here is column names and SQL; no value of any record. Comparison levels use
Splink's ``column_l`` / ``column_r`` notation (left and right record of a pair), blocking
rules ``l.column`` / ``r.column``. The same definitions build the Splink settings, the
tables below and ``LinkageResult.settings_summary``.

Comparisons (levels in order; the first that holds decides; "TF" = term-frequency
adjusted, so agreeing on a common value such as "smith" or "mohammed" counts for less
than agreeing on a rare one; a "weight 0" level is a Splink null level):

| comparison    | level                  | SQL condition                                                 |
|---------------|------------------------|---------------------------------------------------------------|
| first_name    | null (weight 0)        | first_name_l IS NULL OR first_name_r IS NULL                  |
|               | exact (TF)             | first_name_l = first_name_r                                   |
|               | names swapped          | first_name_l = surname_r AND surname_l = first_name_r         |
|               | Jaro-Winkler >= 0.92   | jaro_winkler_similarity(first_name_l, first_name_r) >= 0.92   |
|               | Jaro-Winkler >= 0.88   | jaro_winkler_similarity(first_name_l, first_name_r) >= 0.88   |
|               | else                   | anything else                                                 |
| surname       | null (weight 0)        | surname_l IS NULL OR surname_r IS NULL                        |
|               | exact (TF)             | surname_l = surname_r                                         |
|               | names swapped          | the same condition as under first_name, weight 0 here: a swap |
|               |   (weight 0 here)      | is weighed once, under first_name, not twice                  |
|               | Jaro-Winkler >= 0.92   | jaro_winkler_similarity(surname_l, surname_r) >= 0.92         |
|               | Jaro-Winkler >= 0.88   | jaro_winkler_similarity(surname_l, surname_r) >= 0.88         |
|               | else                   | anything else                                                 |
| date_of_birth | null (weight 0)        | dob_l IS NULL OR dob_r IS NULL                                |
|               | exact                  | dob_l = dob_r (ISO 'YYYY-MM-DD' strings)                      |
|               | day-month swapped or   | same year with day and month exchanged, OR                    |
|               |   one character differs| levenshtein(dob_l, dob_r) <= 1 (one digit of the ISO string)  |
|               | else                   | anything else                                                 |
| postcode      | null (weight 0)        | postcode_l IS NULL OR postcode_r IS NULL                      |
|               | same uprn (weight 0)   | uprn_l = uprn_r: the address is weighed once, under uprn      |
|               | exact (TF)             | postcode_l = postcode_r                                       |
|               | same sector            | postcode_sector_l = postcode_sector_r ('IG11 7')              |
|               | else                   | anything else (a move, or an error)                           |
| uprn          | null (weight 0)        | uprn_l IS NULL OR uprn_r IS NULL (many systems hold none)     |
|               | exact                  | uprn_l = uprn_r                                               |
|               | else                   | anything else                                                 |

Why these:

* Names and date of birth identify a person; postcode and UPRN place them. People move,
  so an address disagreement is weak evidence against a match (about -3 bits when
  trained) while an agreement is strong evidence for one.
* Jaro-Winkler 0.92 / 0.88 (DuckDB's ``jaro_winkler_similarity``): >= 0.92 holds for
  one-letter slips ("jonathan"/"jonathon" 0.95, "thomson"/"thompson" 0.975, "jon"/
  "john" 0.93); 0.88-0.92 for closer-to-ambiguous pairs ("smith"/"smyth" 0.89,
  "steven"/"stephen" 0.89, but also "mark"/"mary" 0.88); below, different names
  ("john"/"joan" 0.87). Training decides how much each band is worth.
* Names swapped: a resident whose forename and surname were typed in the wrong boxes
  would otherwise score two strong disagreements. Weighing it in both name comparisons
  would count one fact twice, so the surname comparison gives it weight 0.
* Same uprn under postcode, weight 0: two records at the same property almost always
  share the postcode, so weighing postcode and UPRN agreement separately counts one
  address twice. On synthetic households (same surname and address, different first
  name and date of birth) that double count merged family members: pairwise precision
  fell to 0.51 at 150,000 records; weighing the address once gives 0.99. A differing
  postcode at the same UPRN (a typo) does not count against the pair either.
* date_of_birth "near" holds day/month swaps (US-style entry) and single-digit slips
  ("1985-04-03" / "1985-04-08", "1985" / "1995"), not two-digit differences.

Blocking rules (candidate pairs are the union; each is selective, so the number of
compared pairs grows about linearly with records: 0.6 million at 150,000 synthetic
records with realistic name variety, 1.8 million with only 100 forenames and 100
surnames):

| rule                                                         | catches                        |
|--------------------------------------------------------------|--------------------------------|
| l.dob = r.dob                                                | every pair with a correct date |
|                                                              | of birth: name typos, swaps,   |
|                                                              | moves                          |
| l.surname = r.surname AND l.postcode_sector = r.postcode_sector | date-of-birth errors near home |
| l.first_name = r.first_name AND l.surname = r.surname AND    | date-of-birth errors after a   |
|   l.dob_year = r.dob_year                                    |   move (same birth year)       |
| l.uprn = r.uprn                                              | the same property, whatever    |
|                                                              | else differs                   |

(first_name + surname without the birth year would compare every pair of residents with
a common name such as "mohammed khan" across the borough; the year keeps it bounded.)

Training:

* probability_two_random_records_match (the prior) from deterministic rules that admit
  very few false matches: dob + first_name + surname exact, or uprn + first_name +
  surname exact; the count is divided by their assumed recall
  (``deterministic_rules_recall``). If they find nothing, the prior is one match among
  all pairs (recorded).
* u (how often non-matches agree by chance) from a seeded random sample of pairs; a level
  the sample never hits gets u = 1 / (pairs sampled) (recorded), not Splink's default.
* m (how often true matches agree) by expectation maximisation (without TF, for speed),
  once blocked on dob (estimates names, postcode, uprn) and once on first_name + surname
  (estimates dob, postcode, uprn). Per comparison, estimates from sessions where it
  converged (largest m change in the last iteration < ``EM_CONVERGENCE``) are combined
  (median); a comparison with no converged estimate, or a level never observed, falls
  back to ``FALLBACK_M`` (recorded in the result).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JW_HIGH = 0.92
JW_LOW = 0.88
SWAP_LABEL = "names swapped"
SWAP_NEUTRAL_LABEL = "names swapped (weighed under first_name)"
SAME_PROPERTY_LABEL = "same uprn (weighed under uprn)"


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    null: bool = False
    tf_column: str | None = None


@dataclass(frozen=True)
class ComparisonSpec:
    name: str
    description: str
    levels: tuple[Level, ...]

    def settings(self) -> dict[str, Any]:
        levels = []
        for lv in self.levels:
            d: dict[str, Any] = {"sql_condition": lv.sql, "label_for_charts": lv.label}
            if lv.null:
                d["is_null_level"] = True
            if lv.tf_column:
                d["tf_adjustment_column"] = lv.tf_column
                d["tf_adjustment_weight"] = 1.0
            levels.append(d)
        return {
            "output_column_name": self.name,
            "comparison_description": self.description,
            "comparison_levels": levels,
        }


_NAME_SWAP = "first_name_l = surname_r AND surname_l = first_name_r"


def _name_comparison(col: str, other: str, *, swap_weighed_here: bool) -> ComparisonSpec:
    swap = (Level(SWAP_LABEL, _NAME_SWAP) if swap_weighed_here
            else Level(SWAP_NEUTRAL_LABEL, _NAME_SWAP, null=True))
    return ComparisonSpec(
        name=col,
        description=f"{col}: exact (TF) / swapped with {other} / Jaro-Winkler >= {JW_HIGH} / >= {JW_LOW} / else",
        levels=(
            Level("null", f"{col}_l IS NULL OR {col}_r IS NULL", null=True),
            Level("exact", f"{col}_l = {col}_r", tf_column=col),
            swap,
            Level(f"Jaro-Winkler >= {JW_HIGH}", f"jaro_winkler_similarity({col}_l, {col}_r) >= {JW_HIGH}"),
            Level(f"Jaro-Winkler >= {JW_LOW}", f"jaro_winkler_similarity({col}_l, {col}_r) >= {JW_LOW}"),
            Level("else", "ELSE"),
        ),
    )


_DOB_SWAP = (
    "(substr(dob_l, 1, 4) = substr(dob_r, 1, 4)"
    " AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2)"
    " AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2))"
)

COMPARISONS: tuple[ComparisonSpec, ...] = (
    _name_comparison("first_name", "surname", swap_weighed_here=True),
    _name_comparison("surname", "first_name", swap_weighed_here=False),
    ComparisonSpec(
        name="date_of_birth",
        description="date_of_birth: exact / day-month swapped or one character different / else",
        levels=(
            Level("null", "dob_l IS NULL OR dob_r IS NULL", null=True),
            Level("exact", "dob_l = dob_r"),
            Level("day-month swapped or one character different",
                  f"{_DOB_SWAP} OR levenshtein(dob_l, dob_r) <= 1"),
            Level("else", "ELSE"),
        ),
    ),
    ComparisonSpec(
        name="postcode",
        description="postcode: same uprn (weight 0, weighed under uprn) / exact (TF) / same sector / else",
        levels=(
            Level("null", "postcode_l IS NULL OR postcode_r IS NULL", null=True),
            Level(SAME_PROPERTY_LABEL, "uprn_l = uprn_r", null=True),
            Level("exact", "postcode_l = postcode_r", tf_column="postcode"),
            Level("same sector", "postcode_sector_l = postcode_sector_r"),
            Level("else", "ELSE"),
        ),
    ),
    ComparisonSpec(
        name="uprn",
        description="uprn: exact / else",
        levels=(
            Level("null", "uprn_l IS NULL OR uprn_r IS NULL", null=True),
            Level("exact", "uprn_l = uprn_r"),
            Level("else", "ELSE"),
        ),
    ),
)

#: candidate pairs for prediction (their union)
BLOCKING_RULES: tuple[str, ...] = (
    "l.dob = r.dob",
    "l.surname = r.surname AND l.postcode_sector = r.postcode_sector",
    "l.first_name = r.first_name AND l.surname = r.surname AND l.dob_year = r.dob_year",
    "l.uprn = r.uprn",
)

#: deterministic rules for the prior (very few false matches)
DETERMINISTIC_RULES: tuple[str, ...] = (
    "l.dob = r.dob AND l.surname = r.surname AND l.first_name = r.first_name",
    "l.uprn = r.uprn AND l.first_name = r.first_name AND l.surname = r.surname",
)

#: expectation-maximisation sessions (each estimates the comparisons it does not use)
EM_BLOCKING_RULES: tuple[str, ...] = (
    "l.dob = r.dob",
    "l.first_name = r.first_name AND l.surname = r.surname",
)

#: columns the Splink input frame carries (besides record_key)
MODEL_COLUMNS = ("first_name", "surname", "dob", "dob_year", "postcode", "postcode_sector", "uprn")

#: m probabilities used for a comparison that no EM session estimated with convergence,
#: keyed by comparison and level label (non-null levels, in order). Conservative values
#: typical of administrative data: most true matches agree exactly.
FALLBACK_M: dict[str, dict[str, float]] = {
    "first_name": {"exact": 0.85, "names swapped": 0.01, f"Jaro-Winkler >= {JW_HIGH}": 0.07,
                   f"Jaro-Winkler >= {JW_LOW}": 0.02, "else": 0.05},
    "surname": {"exact": 0.86, f"Jaro-Winkler >= {JW_HIGH}": 0.07,
                f"Jaro-Winkler >= {JW_LOW}": 0.02, "else": 0.05},
    "date_of_birth": {"exact": 0.93, "day-month swapped or one character different": 0.05, "else": 0.02},
    "postcode": {"exact": 0.70, "same sector": 0.10, "else": 0.20},
    "uprn": {"exact": 0.80, "else": 0.20},
}

EM_MAX_ITERATIONS = 25
EM_CONVERGENCE = 1e-4


def splink_settings(*, link_type: str = "dedupe_only") -> dict[str, Any]:
    """The Splink settings dictionary for the model (no trained values)."""
    return {
        "link_type": link_type,
        "unique_id_column_name": "record_key",
        "comparisons": [c.settings() for c in COMPARISONS],
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "max_iterations": EM_MAX_ITERATIONS,
        "em_convergence": EM_CONVERGENCE,
        "additional_columns_to_retain": [],
    }


def settings_summary() -> str:
    """The comparisons and rules as plain text (column names and SQL only)."""
    lines = ["link type: dedupe_only (records of all systems stacked); unique id: record_key", "",
             "comparisons:"]
    for comp in COMPARISONS:
        lines.append(f"  {comp.name}:")
        for i, lv in enumerate(comp.levels):
            tags = []
            if lv.null:
                tags.append("null level, weight 0")
            if lv.tf_column:
                tags.append(f"term-frequency adjusted on {lv.tf_column}")
            tag = f" [{'; '.join(tags)}]" if tags else ""
            lines.append(f"    {i}. {lv.label}: {lv.sql}{tag}")
    lines += ["", "blocking rules (union of candidate pairs):"]
    lines += [f"  - {r}" for r in BLOCKING_RULES]
    lines += ["", "prior (probability two random records match) from deterministic rules:"]
    lines += [f"  - {r}" for r in DETERMINISTIC_RULES]
    lines += ["", "u: seeded random sampling of pairs",
              f"m: expectation maximisation (max {EM_MAX_ITERATIONS} iterations, "
              f"convergence {EM_CONVERGENCE}) blocked on:"]
    lines += [f"  - {r}" for r in EM_BLOCKING_RULES]
    return "\n".join(lines)
