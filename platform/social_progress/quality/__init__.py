"""Data-quality gates: Great Expectations suites (expectations/*.yml) run on DataFrames.

  suites    load and check the YAML suites
  validate  run a suite with GX 1.x, summarise failures, build Data Docs
  frames    the batches of a source suite (rows, typed, coverage, freshness) from a raw table
  codes     valid GSS codes of each vintage for London and the borough
  runner    evaluate a source or mart suite and record it (check results, failures, quarantine)
  store     the `quality` schema of the warehouse
"""
