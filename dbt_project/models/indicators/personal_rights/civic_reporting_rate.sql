-- Residents' voice: people reporting street problems to the council through FixMyStreet
-- per 1,000 residents (unique reporters per category, summed over categories).
with reporters as (
    select lsoa11_code, year, sum(unique_users) as reporters from {{ ref('stg_fixmystreet') }} group by all
),
base as (
    select s.lsoa11_code, s.year, coalesce(r.reporters, 0) as numerator, p.population as denominator
    from {{ lsoa11_year_spine(2010, 2019) }} s
    left join reporters r using (lsoa11_code, year)
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base', 'reporters per 1,000 residents', 1000) }}
