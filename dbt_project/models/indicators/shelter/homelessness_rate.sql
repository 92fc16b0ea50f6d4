-- IoD homelessness indicator: households owed a homelessness duty per 1,000 households (IoD 2019 and IoD 2025), resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'homelessness_indicator_rate_per_1000_households') }}
    union all
    {{ resident_weighted('stg_imd2025_indicators', 'homelessness_indicator_rate_per_1_000_households', 'lsoa21') }}
)
{{ to_all_levels('base') }}
