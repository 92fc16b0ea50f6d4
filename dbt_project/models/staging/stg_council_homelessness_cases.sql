-- SYNTHETIC homelessness applications (approaches) with the duty owed, at the household's address.
select h.record_key, r.resident_key, r.household_key, {{ council_date('h.approach_date') }} as approach_date,
       year({{ council_date('h.approach_date') }}) as year, lower(trim(h.duty)) as duty,
       lower(trim(h.household_type)) as household_type,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_homelessness_cases') }} h
{{ council_place('r', 'h.record_key') }}
