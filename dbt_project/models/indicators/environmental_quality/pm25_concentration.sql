-- Modelled annual mean PM2.5 concentration (LAEI 2013, 2016, 2019), resident-weighted.
with base as (
    {{ resident_weighted('stg_air_quality', 's.concentration', where="s.pollutant = 'PM25' and s.statistic = 'mean'") }}
)
{{ to_all_levels('base') }}
