-- IoD 2019 comparative illness and disability ratio (work-limiting illness and disability
-- against England, 100 = the national rate), resident-weighted.
with base as (
    select i.lsoa11_code, i.year, i.comparative_illness_and_disability_ratio_indicator * p.population as numerator, p.population as denominator
    from {{ ref('stg_imd2019_indicators') }} i
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base', 'ratio (England = 100)', 1) }}
