-- Food hygiene ratings with the LSOA their postcode falls in (geography engine).
select f.*, l.lsoa11_code, l.lsoa21_code, l.geo_status
from {{ ref('stg_food_hygiene') }} f
left join {{ source('geography', 'food_hygiene_located') }} l on l.record_key = f.fhrs_id
