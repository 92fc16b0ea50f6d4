-- IoD entry to higher education indicator: share of young people under 21 not entering higher education (IoD 2019 and IoD 2025), resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'entry_to_higher_education_indicator') }}
    union all
    {{ resident_weighted('stg_imd2025_indicators', 'entry_to_higher_education_indicator', 'lsoa21') }}
)
{{ to_all_levels('base') }}
