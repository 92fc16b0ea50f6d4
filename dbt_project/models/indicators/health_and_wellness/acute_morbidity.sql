-- IoD acute morbidity: standardised emergency hospital admissions, IoD 2019 and IoD 2025, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'acute_morbidity_indicator') }}
    union all
    {{ resident_weighted('stg_imd2025_indicators', 'acute_morbidity_indicator', 'lsoa21') }}
)
{{ to_all_levels('base') }}
