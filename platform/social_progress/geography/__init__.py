"""Geography engine: boundaries of each vintage, points and postcodes to areas, bridges,
and the tables of the warehouse's `geography` schema.

Plain geopandas/pandas code with no Dagster imports; the Dagster assets only read
their inputs, call it and write what it returns.
"""
