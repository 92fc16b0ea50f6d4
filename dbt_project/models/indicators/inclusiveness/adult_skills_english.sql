-- IoD 2019 adult skills and English language proficiency: share of working-age adults
-- with no or low qualifications or who cannot speak English well, resident-weighted.
with base as (
    select i.lsoa11_code, i.year, i.adult_skills_and_english_language_proficiency_indicator * p.population as numerator, p.population as denominator
    from {{ ref('stg_imd2019_indicators') }} i
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base', 'share of working-age adults', 1) }}
