-- Residents of each LSOA 2011 for every year of the index range, used as the denominator
-- of rates and the weight of means. The bundled estimates are mid-2019 and mid-2020: a year
-- takes the estimate nearest to it (earlier years 2019, later years 2020); the year of the
-- estimate used is kept in `population_year`.
with years as (
    select range as year from range({{ var('first_year') }}, {{ var('last_year') }} + 1)
),
estimates as (
    select lsoa11_code, year as population_year, persons from {{ ref('stg_population') }}
),
ranked as (
    select y.year, e.lsoa11_code, e.population_year, e.persons,
           row_number() over (partition by y.year, e.lsoa11_code
                              order by abs(y.year - e.population_year), e.population_year desc) as nearest
    from years y cross join estimates e
)
select lsoa11_code, year::integer as year, persons as population, population_year
from ranked where nearest = 1
