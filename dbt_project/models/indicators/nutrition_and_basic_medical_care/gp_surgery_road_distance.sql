-- IoD 2019 mean road distance (km) from residents' postcodes to the nearest GP surgery, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'road_distance_to_a_gp_surgery_indicator_km') }}
)
{{ to_all_levels('base') }}
