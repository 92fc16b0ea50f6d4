-- Residents of each London LSOA 2011 for every year of the index range, used as the
-- denominator of rates and the weight of means. A year with its own ONS mid-year estimate
-- uses it (the bundled editions are read from the data: mid-2017, mid-2019, mid-2020); a
-- year between two estimates is interpolated linearly between them (2018 from 2017 and
-- 2019); a year before the first or after the last estimate holds the nearest one, since
-- nothing measures it. `population_basis` says which (estimate, interpolated, held) and
-- `population_year` is the estimate used, or the nearer of the two interpolated.
with estimates as (
    select lsoa11_code, year as population_year, persons::double as persons
    from {{ ref('stg_population') }}
    where persons is not null
),
years as (
    select range::integer as year from range({{ var('first_year') }}, {{ var('last_year') }} + 1)
),
grid as (
    select distinct e.lsoa11_code, y.year from estimates e cross join years y
),
bracketed as (
    select g.lsoa11_code, g.year,
           max(e.population_year) filter (where e.population_year <= g.year) as before_year,
           min(e.population_year) filter (where e.population_year >= g.year) as after_year
    from grid g join estimates e using (lsoa11_code)
    group by all
)
select b.lsoa11_code, b.year,
       case when b.before_year is null then a.persons
            when b.after_year is null or b.after_year = b.before_year then bf.persons
            else bf.persons + (a.persons - bf.persons) * (b.year - b.before_year) / (b.after_year - b.before_year)
       end as population,
       case when b.before_year is null then b.after_year
            when b.after_year is null then b.before_year
            when b.year - b.before_year <= b.after_year - b.year then b.before_year
            else b.after_year end as population_year,
       case when b.before_year = b.after_year then 'estimate'
            when b.before_year is null or b.after_year is null then 'held'
            else 'interpolated' end as population_basis
from bracketed b
left join estimates bf on bf.lsoa11_code = b.lsoa11_code and bf.population_year = b.before_year
left join estimates a on a.lsoa11_code = b.lsoa11_code and a.population_year = b.after_year
