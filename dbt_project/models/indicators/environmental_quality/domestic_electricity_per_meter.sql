-- Domestic electricity consumption (kWh) per meter, 2010-2020 (BEIS/DESNZ sub-national statistics).
-- kWh per meter: total consumption over meters, so every level divides its own sums.
with base as (
    select 'lsoa11' as source_boundary, lsoa11_code as source_code, year,
           total_kwh as numerator, meters as denominator
    from {{ ref('stg_energy_electricity') }}
)
{{ to_all_levels('base') }}
