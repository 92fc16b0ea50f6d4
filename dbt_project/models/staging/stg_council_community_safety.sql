-- SYNTHETIC incidents shared by the police, counted at the victim's home postcode.
select i.record_key, r.resident_key, {{ council_date('i.recorded_date') }} as recorded_date,
       year({{ council_date('i.recorded_date') }}) as year, lower(trim(i.incident_type)) as incident_type,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_community_safety') }} i
{{ council_place('r', 'i.record_key') }}
