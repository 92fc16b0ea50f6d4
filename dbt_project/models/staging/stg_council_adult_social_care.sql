-- SYNTHETIC adult social care clients receiving long-term services.
select c.record_key, r.resident_key, r.household_key, lower(trim(c.service_type)) as service_type,
       {{ council_date('c.start_date') }} as start_date, {{ council_date('c.end_date') }} as end_date,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_adult_social_care') }} c
{{ council_place('r', 'c.record_key') }}
