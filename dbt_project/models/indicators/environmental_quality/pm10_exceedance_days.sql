-- Modelled days a year with PM10 above 50 µg/m³ (LAEI 2013, 2016, 2019), resident-weighted.
with base as (
    {{ resident_weighted('stg_air_quality', 's.concentration', where="s.pollutant = 'PM10d' and s.statistic = 'mean'") }}
)
{{ to_all_levels('base') }}
