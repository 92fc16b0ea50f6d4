"""Data-quality gates: Great Expectations suites (expectations/*.yml) run on DataFrames."""
