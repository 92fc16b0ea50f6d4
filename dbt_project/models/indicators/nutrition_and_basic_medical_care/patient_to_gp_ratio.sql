-- IoD 2025 registered patients per full-time-equivalent GP at the practices serving the area, resident-weighted (context: 2025 only).
with base as (
    {{ resident_weighted('stg_imd2025_indicators', 'patient_to_gp_ratio', 'lsoa21') }}
)
{{ to_all_levels('base') }}
