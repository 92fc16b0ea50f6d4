-- IoD 2019 household overcrowding indicator (share of households overcrowded), as a
-- resident-weighted mean at ward and borough level.
with base as (
    select i.lsoa11_code, i.year, i.household_overcrowding_indicator * p.population as numerator, p.population as denominator
    from {{ ref('stg_imd2019_indicators') }} i
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base', 'share of households', 1) }}
