-- IoD 2019 air quality indicator: modelled concentrations of NO2, benzene, SO2 and particulates against their limits, combined (higher is worse), resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'air_quality_indicator') }}
)
{{ to_all_levels('base') }}
