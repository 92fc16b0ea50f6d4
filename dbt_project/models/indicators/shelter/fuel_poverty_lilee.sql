-- Share of households in fuel poverty on the Low Income Low Energy Efficiency (LILEE)
-- measure, DESNZ sub-regional statistics, 2019-2022: 2019-2020 on LSOA 2011 codes, 2021-2022
-- on LSOA 2021 codes (each reaches the other vintage and the wards through the bridges).
-- LILEE only: never spliced with the LIHC series of 2011-2018 (fuel_poverty_lihc).
with base as (
    select f.boundary as source_boundary, f.lsoa_code as source_code, f.year,
           f.fuel_poor_households::double as numerator, f.households::double as denominator
    from {{ ref('stg_fuel_poverty') }} f
    where f.metric = 'LILEE'
)
{{ to_all_levels('base') }}
