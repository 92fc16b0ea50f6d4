-- IoD 2019 rate of road traffic accidents injuring pedestrians and cyclists per 1,000 resident and workplace population, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'road_traffic_accidents_indicator') }}
)
{{ to_all_levels('base') }}
