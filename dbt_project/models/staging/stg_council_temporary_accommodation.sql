-- SYNTHETIC temporary accommodation placements, counted at the household's last settled
-- address (its homelessness case's), for that household.
select t.record_key, c.household_key, c.resident_key, t.case_ref_key as case_key,
       {{ council_date('t.start_date') }} as start_date, {{ council_date('t.end_date') }} as end_date,
       lower(trim(t.placement_type)) as placement_type, {{ council_flag('t.out_of_borough') }} as out_of_borough,
       c.lsoa11_code, c.lsoa21_code, coalesce(c.in_borough, false) as in_borough, c.unplaced_reason
from {{ source('raw', 'council_temporary_accommodation') }} t
{{ council_place('c', 't.case_ref_key') }}
