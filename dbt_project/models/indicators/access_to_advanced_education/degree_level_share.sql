-- Census 2021 TS067: share of usual residents aged 16 and over whose highest qualification is level 4 or above (degree level), LSOA 2021.
with base as (
    select 'lsoa21' as source_boundary, lsoa21_code as source_code, year,
           level4_and_above as numerator,
           residents_16_plus as denominator
    from {{ ref('stg_census_qualifications') }}
)
{{ to_all_levels('base') }}
