-- Food hygiene ratings with the LSOA their postcode falls in (geography engine).
-- The bundled extract covers all 33 London authorities: a record whose postcode is a known
-- Code-Point postcode of another borough belongs to that borough and is left out. Kept:
-- records placed in the borough, and records that could not be placed (bad or unknown
-- postcode, or a borough postcode off the boundaries), so the indicator reports them.
select f.*, l.lsoa11_code, l.lsoa21_code, l.geo_status
from {{ ref('stg_food_hygiene') }} f
left join {{ source('geography', 'food_hygiene_located') }} l on l.record_key = f.fhrs_id
left join {{ ref('stg_postcodes') }} pc on pc.postcode_key = f.postcode_key
where l.lsoa11_code is not null or pc.lad_code is null or pc.lad_code in ({{ deployed_boroughs_sql() }})
