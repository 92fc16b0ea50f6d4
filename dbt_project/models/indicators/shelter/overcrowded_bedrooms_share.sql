-- Census 2021: share of households with an occupancy rating for bedrooms of -1 or less (fewer bedrooms than the household needs), LSOA 2021.
with base as (
    {{ lsoa21_count_share('stg_census_occupancy_bedrooms', 'is_overcrowded') }}
)
{{ to_all_levels('base') }}
