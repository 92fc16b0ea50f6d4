"""Record linkage: one person, one count, within and across council systems.

Person records from many systems (council tax, housing, school rolls, social care...)
name the same resident several times. ``link_records`` finds which records are the same
person with a Splink model (DuckDB backend) and returns clusters of record keys, so
counts of residents count each person once; ``evaluate`` measures clusters against a
known truth; ``standardise`` brings raw records to the form the model compares.

    from social_progress.linkage import link_records, evaluate, standardise
    result = link_records(records)          # raw or standardised records
    result.clusters                         # record_key, cluster_id
    result.as_metadata()                    # counts, weights, rules: no personal values
    evaluate(result.clusters, truth).as_metadata()

Modules: ``standardise`` (cleaning rules), ``model`` (comparisons, blocking and training
rules, and why), ``link`` (the run), ``evaluate`` (quality).
"""
from .evaluate import LinkageQuality, evaluate
from .link import EMSession, LinkageError, LinkageResult, link_records, probability_to_match_weight
from .standardise import STANDARD_COLUMNS, StandardiseError, standardise

__all__ = [
    "EMSession",
    "LinkageError",
    "LinkageQuality",
    "LinkageResult",
    "STANDARD_COLUMNS",
    "StandardiseError",
    "evaluate",
    "link_records",
    "probability_to_match_weight",
    "standardise",
]
