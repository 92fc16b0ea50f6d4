-- SYNTHETIC housing management system: council tenancies, pseudonymised, with the resident
-- (Splink), the household and the areas the tenancy is counted in (council.records).
select t.record_key, r.resident_key, r.household_key,
       {{ council_date('t.start_date') }} as start_date, {{ council_date('t.end_date') }} as end_date,
       try_cast(t.bedrooms as integer) as bedrooms, try_cast(t.household_size as integer) as household_size,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_housing_tenancies') }} t
{{ council_place('r', 't.record_key') }}
