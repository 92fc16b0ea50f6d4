-- Modelled annual mean NO2 concentration (LAEI 2013, 2016, 2019), resident-weighted.
with base as (
    {{ resident_weighted('stg_air_quality', 's.concentration', where="s.pollutant = 'NO2' and s.statistic = 'mean'") }}
)
{{ to_all_levels('base') }}
