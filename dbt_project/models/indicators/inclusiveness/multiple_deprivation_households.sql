-- Census 2021: share of households deprived in two or more of the four dimensions (education, employment, health and disability, housing).
with base as (
    select 'lsoa21' as source_boundary, lsoa21_code as source_code, year,
           sum(case when deprivation_dimensions >= 2 then households else 0 end) as numerator,
           sum(households) as denominator
    from {{ ref('stg_census_deprivation') }}
    group by all
)
{{ to_all_levels('base') }}
