-- Residents' voice: people reporting street problems to the council through FixMyStreet
-- per 1,000 residents (unique reporters per category, summed over categories). Rows
-- without a year or LSOA are kept so that to_all_levels flags them (see
-- street_problem_reports).
with reporters as (
    select lsoa11_code, year, sum(unique_users) as reporters
    from {{ ref('stg_fixmystreet') }}
    where year is null or year between {{ var('first_year') }} and 2019
    group by all
),
spine as (
    select * from {{ lsoa11_year_spine(var('first_year'), 2019) }}
),
base as (
    select coalesce(s.lsoa11_code, r.lsoa11_code) as lsoa11_code, coalesce(s.year, r.year) as year,
           coalesce(r.reporters, 0) as numerator, p.population as denominator
    from spine s
    full outer join reporters r on r.lsoa11_code = s.lsoa11_code and r.year = s.year
    left join {{ ref('int_lsoa11_population') }} p
           on p.lsoa11_code = coalesce(s.lsoa11_code, r.lsoa11_code) and p.year = coalesce(s.year, r.year)
)
{{ to_all_levels('base', 'reporters per 1,000 residents', 1000) }}
