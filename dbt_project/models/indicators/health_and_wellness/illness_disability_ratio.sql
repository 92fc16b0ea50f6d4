-- IoD comparative illness and disability ratio (work-limiting illness and disability, England = 100), IoD 2019 and IoD 2025, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'comparative_illness_and_disability_ratio_indicator') }}
    union all
    {{ resident_weighted('stg_imd2025_indicators', 'comparative_illness_and_disability_ratio_indicator', 'lsoa21') }}
)
{{ to_all_levels('base') }}
