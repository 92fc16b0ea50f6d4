-- Every London area of each source geography with its borough: LSOA 2011 and ward 2019
-- (official ONS LSOA11 -> ward 2019 -> LAD 2019 lookup) and LSOA 2021 (the Census 2021
-- tables list every London LSOA 2021 with its name, "Barking and Dagenham 001A"; the
-- borough is the name without the LSOA number, matched to the ONS borough names).
-- Used by every indicator: a source code missing from its vintage here is flagged
-- `wrong_vintage_code`, and London-wide sources roll up to the comparator boroughs.
with lsoa21 as (
    select distinct lsoa21_code, regexp_replace(lsoa21_name, '\s+[0-9]{3}[A-Z]$', '') as lad_name
    from {{ ref('stg_census_population') }}
)
select distinct 'lsoa11' as boundary, lsoa11_code as area_code, lad_code
from {{ ref('stg_lsoa11_ward19_lookup') }}
union all
select distinct 'ward19', ward19_code, lad_code
from {{ ref('stg_lsoa11_ward19_lookup') }}
union all
select 'lsoa21', l.lsoa21_code, b.lad_code
from lsoa21 l
join {{ ref('stg_borough_boundaries') }} b on b.lad_name = l.lad_name
