-- IoD 2019 share of households without central heating, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'houses_without_central_heating_indicator') }}
)
{{ to_all_levels('base') }}
