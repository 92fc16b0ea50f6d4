-- Street problems (fly-tipping, litter, dumped rubbish, blocked drains...) reported on
-- FixMyStreet per 1,000 residents, all categories. An LSOA with no report has a zero.
with reports as (
    select lsoa11_code, year, sum(reports) as reports from {{ ref('stg_fixmystreet') }} group by all
),
base as (
    select s.lsoa11_code, s.year, coalesce(r.reports, 0) as numerator, p.population as denominator
    from {{ lsoa11_year_spine(2010, 2019) }} s
    left join reports r using (lsoa11_code, year)
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base', 'reports per 1,000 residents', 1000) }}
