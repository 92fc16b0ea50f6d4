-- Resident population: ONS mid-year estimates 2019 and 2020 (LSOA 2011) and Census 2021 usual residents (LSOA 2021). Context: the denominator of the rates.
with base as (
    select 'lsoa11' as source_boundary, lsoa11_code as source_code, year, persons as numerator, null as denominator
    from {{ ref('stg_population') }}
    union all
    select 'lsoa21', lsoa21_code, 2021, population, null from {{ ref('int_lsoa21_population') }}
)
{{ to_all_levels('base') }}
