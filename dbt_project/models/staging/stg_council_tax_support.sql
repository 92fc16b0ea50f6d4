-- SYNTHETIC council tax support claims (revenues and benefits system).
select s.record_key, r.resident_key, r.household_key,
       {{ council_date('s.start_date') }} as start_date, {{ council_date('s.end_date') }} as end_date,
       {{ council_flag('s.pensioner') }} as pensioner,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_tax_support') }} s
{{ council_place('r', 's.record_key') }}
