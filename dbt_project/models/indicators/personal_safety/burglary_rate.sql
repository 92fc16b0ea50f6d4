-- Burglary offences recorded by the Metropolitan Police per 1,000 residents.
with base as (
    select c.lsoa11_code, c.year, c.offences as numerator, p.population as denominator
    from {{ ref('stg_crime') }} c
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
    where c.category = 'burglary'
)
{{ to_all_levels('base', 'offences per 1,000 residents', 1000) }}
