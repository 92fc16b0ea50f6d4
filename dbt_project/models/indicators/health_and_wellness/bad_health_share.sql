-- Census 2021 TS037: share of all usual residents whose general health is bad or very bad (self-reported), LSOA 2021.
with base as (
    select 'lsoa21' as source_boundary, lsoa21_code as source_code, year,
           bad_health + very_bad_health as numerator,
           residents as denominator
    from {{ ref('stg_census_general_health') }}
)
{{ to_all_levels('base') }}
