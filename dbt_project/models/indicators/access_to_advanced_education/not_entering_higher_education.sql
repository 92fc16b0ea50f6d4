-- IoD 2019 entry to higher education indicator: share of young people under 21 not
-- entering higher education, resident-weighted.
with base as (
    select i.lsoa11_code, i.year, i.entry_to_higher_education_indicator * p.population as numerator, p.population as denominator
    from {{ ref('stg_imd2019_indicators') }} i
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base', 'share of young people', 1) }}
