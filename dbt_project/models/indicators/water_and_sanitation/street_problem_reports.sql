-- Street problems (fly-tipping, litter, dumped rubbish, blocked drains...) reported on
-- FixMyStreet per 1,000 residents, all categories. An LSOA with no report has a zero (the
-- spine); a report row without a year or with an unknown LSOA is kept as its own row, so
-- to_all_levels lists it in the exclusions instead of the spine join dropping it silently.
with reports as (
    select lsoa11_code, year, sum(reports) as reports
    from {{ ref('stg_fixmystreet') }}
    where year is null or year between {{ var('first_year') }} and 2019
    group by all
),
spine as (
    select * from {{ lsoa11_year_spine(var('first_year'), 2019) }}
),
base as (
    select coalesce(s.lsoa11_code, r.lsoa11_code) as lsoa11_code, coalesce(s.year, r.year) as year,
           coalesce(r.reports, 0) as numerator, p.population as denominator
    from spine s
    full outer join reports r on r.lsoa11_code = s.lsoa11_code and r.year = s.year
    left join {{ ref('int_lsoa11_population') }} p
           on p.lsoa11_code = coalesce(s.lsoa11_code, r.lsoa11_code) and p.year = coalesce(s.year, r.year)
)
{{ to_all_levels('base', 'reports per 1,000 residents', 1000) }}
