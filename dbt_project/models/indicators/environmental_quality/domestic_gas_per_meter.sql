-- Domestic gas consumption (kWh) per meter, 2010-2020 (BEIS/DESNZ sub-national statistics).
-- kWh per meter: total consumption over meters, so every level divides its own sums.
-- An LSOA of the borough with no gas meters published in a year of the series (a real
-- gap, e.g. an all-electric estate) keeps its row, with no value: missing, never zero.
with published as (
    select 'lsoa11' as source_boundary, lsoa11_code as source_code, year,
           total_kwh as numerator, meters as denominator
    from {{ ref('stg_energy_gas') }}
),
base as (
    {{ with_lsoa11_gaps('published', ref('stg_energy_gas')) }}
)
{{ to_all_levels('base') }}
