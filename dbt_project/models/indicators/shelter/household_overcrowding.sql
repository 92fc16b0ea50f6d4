-- Share of households overcrowded (occupancy rating by rooms), IoD 2019 (Census 2011) and IoD 2025 (Census 2021), resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'household_overcrowding_indicator') }}
    union all
    {{ resident_weighted('stg_imd2025_indicators', 'household_overcrowding_indicator_rooms', 'lsoa21') }}
)
{{ to_all_levels('base') }}
