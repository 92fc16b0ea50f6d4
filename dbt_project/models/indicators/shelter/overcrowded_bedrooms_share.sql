-- Census 2021: share of households with an occupancy rating for bedrooms of -1 or less (fewer bedrooms than the household needs), LSOA 2021.
with base as (
    select 'lsoa21' as source_boundary, lsoa21_code as source_code, year,
           sum(case when is_overcrowded then households else 0 end) as numerator,
           sum(households) as denominator
    from {{ ref('stg_census_occupancy_bedrooms') }}
    group by all
)
{{ to_all_levels('base') }}
