-- IoD 2019 mean road distance (km) to the nearest general store or supermarket, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'road_distance_to_general_store_or_supermarket_indicator_km') }}
)
{{ to_all_levels('base') }}
