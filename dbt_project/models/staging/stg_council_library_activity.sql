-- SYNTHETIC library members' yearly activity (the library system's JSON API).
select a.record_key, r.resident_key, r.household_key, try_cast(a.year as integer) as year,
       try_cast(a.visits as integer) as visits, try_cast(a.loans as integer) as loans, {{ council_flag('a.active') }} as active,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_library_activity') }} a
{{ council_place('r', 'a.record_key') }}
