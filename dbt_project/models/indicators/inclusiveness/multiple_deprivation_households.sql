-- Census 2021: share of households deprived in two or more of the four dimensions (education, employment, health and disability, housing).
with base as (
    {{ lsoa21_count_share('stg_census_deprivation', 'deprivation_dimensions >= 2') }}
)
{{ to_all_levels('base') }}
