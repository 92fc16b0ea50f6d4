-- Census 2021: share of households renting socially (from the council or local authority, or another social landlord), LSOA 2021.
with base as (
    select 'lsoa21' as source_boundary, lsoa21_code as source_code, year,
           sum(case when is_social_rented then households else 0 end) as numerator,
           sum(households) as denominator
    from {{ ref('stg_census_tenure') }}
    group by all
)
{{ to_all_levels('base') }}
