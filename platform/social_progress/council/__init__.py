"""Council records, linked and placed, without their identifiers.

- `placing`: a record's UPRN (through the address gazetteer), postcode or coordinates to
  LSOA 2011/2021, both ward sets and the borough, with a match report of counts only;
- `residents`: the restricted identifiers of every council source linked into residents
  (Splink, `social_progress.linkage`) and households, written out as pseudonymous keys.
"""
from .placing import PlacementResult, place_records
from .residents import RecordIndex, build_record_index

__all__ = ["PlacementResult", "place_records", "RecordIndex", "build_record_index"]
