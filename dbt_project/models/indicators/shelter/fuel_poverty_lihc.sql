-- Share of households in fuel poverty on the Low Income High Costs (LIHC) measure, DESNZ
-- sub-regional statistics, 2011-2018 (LSOA 2011). LIHC only: the LILEE measure of 2019 on
-- is another indicator (fuel_poverty_lilee) and is never spliced into this series.
-- 2011 is published on LSOA 2001 codes: a code that is also an LSOA 2011 code (the LSOA was
-- unchanged in 2011) is kept; the others (split or merged LSOAs: 123 of London's 4,765
-- LSOA 2001 rows, 119,887 of its 3,102,686 households; 3 of Barking and Dagenham's) are
-- left out, and the 193 London LSOA 2011 (3 in the borough) that have no unchanged 2001
-- code have no 2011 value: missing, never zero (areas above them are flagged
-- incomplete_sources that year).
with published as (
    select f.boundary as source_boundary, f.lsoa_code as source_code, f.year,
           f.fuel_poor_households::double as numerator, f.households::double as denominator
    from {{ ref('stg_fuel_poverty') }} f
    where f.metric = 'LIHC'
      and not (f.boundary = 'lsoa01'
               and f.lsoa_code not in (select lsoa11_code from {{ ref('stg_lsoa11_ward19_lookup') }}))
),
lsoa11_rows as (
    select 'lsoa11' as source_boundary, source_code, year, numerator, denominator
    from published where source_boundary in ('lsoa01', 'lsoa11')
),
base as (
    {{ with_lsoa11_gaps('lsoa11_rows', 'lsoa11_rows') }}
    union all
    -- any LIHC row on another vintage goes on as it is, so to_all_levels lists it as an exclusion
    select * from published where source_boundary not in ('lsoa01', 'lsoa11')
)
{{ to_all_levels('base') }}
