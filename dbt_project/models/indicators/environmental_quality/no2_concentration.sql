-- Modelled annual mean NO2 concentration (LAEI; 2013, 2016, 2019), resident-weighted.
with base as (
    select a.lsoa11_code, a.year, a.concentration * p.population as numerator, p.population as denominator
    from {{ ref('stg_air_quality') }} a
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
    where a.pollutant = 'NO2' and a.statistic = 'mean'
)
{{ to_all_levels('base', 'µg/m³', 1) }}
