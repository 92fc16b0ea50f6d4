"""Statistical disclosure control (SDC) of published small-area counts.

## Disclosure control

Counts of people or households in an LSOA or a ward can identify someone ("the 2 people
claiming X in this LSOA"). Before a release, every indicator cell goes through
`apply_disclosure_control(cells, groups, policy, personal_denominators)`, and the release's
tests run the attacker `recover_by_differencing` on the published files.

Why our own code: the well-kept SDC tools are sdcMicro (R) and tau-argus (Java); no
maintained Python library does cell suppression on linked hierarchical tables. This is a
small, documented implementation of the usual rules (threshold rule, complementary
suppression by hierarchy, rounding), tested against worked examples.

**Cells** are the indicator rows (`indicator_id, area_code, area_level, boundary, year,
numerator, denominator, value, quality_flag`; value = multiplier * numerator / denominator;
counts may be fractional on apportioned boundaries, lsoa21 and ward22). **Groups** declare
additive relations, one row per (parent, child): `parent_boundary, parent_code,
child_boundary, child_code` and optionally `dimension` ('area', or 'period' for years within
a multi-year period, e.g. '2019-21' = 2019 + 2020 + 2021 of the same area). Build them with
`groups_from_lookup` (lsoa11 in ward19 and, given the borough, ward19 / lsoa11 / any listed
boundary's codes in the borough), `groups_within` and `period_groups`.

Rules (`DisclosurePolicy(threshold=5, suppress_zero=True, rounding_base=None, check_denominator=True)`):

1. **Primary suppression.** A numerator below the threshold (0-4; 0 only when
   `suppress_zero`), or a personal-data denominator below it (indicators named in
   `personal_denominators` or with a true `denominator_personal` column; only when
   `check_denominator`), suppresses the cell: numerator, value and a personal denominator
   become missing (NaN, never 0), `quality_flag = 'suppressed_small_count'`.
2. **Secondary (complementary) suppression.** In a group with a published parent, the
   suppressed children's total is parent - sum(published children). Every group must have
   no suppressed child, or at least 2 suppressed children whose total (both the true total
   and the one recoverable from the published, possibly rounded, counts) is at least the
   threshold. Otherwise the smallest published child that closes the gap is suppressed
   too (ties by area code; if no single child closes it, the largest), and if no child is
   left, the parent is suppressed. A suppressed parent must also have at least one
   suppressed child, or it is the sum of its published children. Groups with fewer
   children (a ward's LSOAs) are settled before bigger ones (the borough's LSOAs), and all
   groups are re-checked until nothing changes, since a cell suppressed in one hierarchy
   exposes others (a ward suppressed within the borough needs one of its LSOAs hidden).
   Personal denominators are checked the same way (a published parent denominator minus
   the published children's gives the hidden ones). `quality_flag = 'suppressed_secondary'`.
3. **Rounding** (`rounding_base=5`, optional, after suppression): published numerators and
   personal denominators go to the nearest multiple of 5 (ties up: 12.5 -> 15) and the
   value is recomputed from the rounded counts (with a `multiplier` column if present).
   Recoverable totals in rule 2 are computed from the rounded counts, as an attacker sees them.
4. **Output**: the same rows with `suppressed` (bool), `suppression` (None, 'primary',
   'secondary') and the flags; other flags are kept. `SuppressionReport.as_metadata()`
   (counts per rule, per indicator, per boundary; rounds) goes into the release metadata.

Counts already missing in the input stay missing and are not flagged (unless a personal
denominator of the cell has to be hidden); they are left out of the groups' sums, as the
attacker leaves them out. A personal denominator is blanked with its suppressed cell and
rounded when rounding even with `check_denominator=False`; that switch only stops
denominators from triggering suppression.

Worked example (threshold 5): a ward of 30 people with 4 LSOAs of 2, 7, 9 and 12.

    LSOA   count  after control
    A          2  suppressed (primary: 2 < 5)
    B          7  suppressed (secondary: else 30 - 7 - 9 - 12 = 2 gives A back)
    C          9  9
    D         12  12
    ward      30  30

The attacker now gets 30 - 9 - 12 = 9 for A + B together: two cells, 9 >= 5, nothing
disclosed. If the borough (wards 30, 3, 41, 26 = 100) is published too, the ward of 3 is
suppressed (primary) and the ward of 26 (smallest) with it; then one LSOA of that ward
must be suppressed as well, or the ward is the sum of its LSOAs (26) and 100 - 30 - 41 - 26
gives the 3 back.

Limits: the checks are per group (each equation on its own) and `recover_by_differencing`
makes the same per-group attack. An attacker solving all equations together (linear
programming, as tau-argus's audit does) can narrow a hidden cell to an interval; the tests
check on 200 random complete tables that none is determined exactly that way, which the
rules do not prove in general. The `suppression` column and the two flags tell small cells
('primary') from their complements: publish a single "suppressed" marker if that
distinction itself should not be public.
"""
from .attack import recover_by_differencing
from .control import (FLAG_PRIMARY, FLAG_SECONDARY, PRIMARY, SECONDARY, DisclosurePolicy, SuppressionReport,
                      apply_disclosure_control, round_half_up)
from .groups import groups_from_lookup, groups_within, normalise_groups, period_groups

__all__ = ["DisclosurePolicy", "SuppressionReport", "apply_disclosure_control", "recover_by_differencing",
           "groups_from_lookup", "groups_within", "period_groups", "normalise_groups", "round_half_up",
           "PRIMARY", "SECONDARY", "FLAG_PRIMARY", "FLAG_SECONDARY"]
