-- IoD years of potential life lost (age- and sex-standardised premature mortality), IoD 2019 and IoD 2025, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'years_of_potential_life_lost_indicator') }}
    union all
    {{ resident_weighted('stg_imd2025_indicators', 'years_of_potential_life_lost_indicator', 'lsoa21') }}
)
{{ to_all_levels('base') }}
