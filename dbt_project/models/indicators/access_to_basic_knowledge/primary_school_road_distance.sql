-- IoD 2019 mean road distance (km) to the nearest primary school, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'road_distance_to_a_primary_school_indicator_km') }}
)
{{ to_all_levels('base') }}
