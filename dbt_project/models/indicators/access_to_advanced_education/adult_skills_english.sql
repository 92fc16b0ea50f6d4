-- IoD adult skills and English language proficiency: share of working-age adults with no or low qualifications or who cannot speak English well (IoD 2019 and IoD 2025), resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'adult_skills_and_english_language_proficiency_indicator') }}
    union all
    {{ resident_weighted('stg_imd2025_indicators', 'adult_skills_and_english_language_proficiency_indicator', 'lsoa21') }}
)
{{ to_all_levels('base') }}
