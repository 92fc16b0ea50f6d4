"""Geography engine: boundaries of each vintage, points and postcodes to areas, bridges.

Plain geopandas/pandas code with no Dagster imports; the assets in
`social_progress.assets.geography` wrap it.
"""
