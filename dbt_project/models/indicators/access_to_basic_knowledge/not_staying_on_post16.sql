-- IoD 2019: share of young people not staying on in school or non-advanced education
-- after 16, as a resident-weighted mean.
with base as (
    select i.lsoa11_code, i.year, i.staying_on_in_education_post_16_indicator * p.population as numerator, p.population as denominator
    from {{ ref('stg_imd2019_indicators') }} i
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base', 'share of young people', 1) }}
