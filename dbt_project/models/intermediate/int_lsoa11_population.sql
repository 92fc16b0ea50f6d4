-- Residents of each London LSOA 2011 for every year of the index range, used as the
-- denominator of rates and the weight of means. The bundled estimates are mid-2019 and
-- mid-2020: a year takes the estimate nearest to it (earlier years 2019, later years
-- 2020); the year of the estimate used is kept in `population_year`.
with estimates as (
    select lsoa11_code, year as population_year, persons from {{ ref('stg_population') }}
),
nearest as (
    {{ nearest_year('estimates', 'lsoa11_code', 'population_year', var('first_year'), var('last_year')) }}
)
select lsoa11_code, year, persons as population, population_year
from nearest
