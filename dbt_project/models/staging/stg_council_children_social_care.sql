-- SYNTHETIC children's social care episodes: CIN (child in need), CPP (child protection
-- plan), LAC (looked after); the case system's export changed its date format.
select e.record_key, r.resident_key, r.household_key, upper(trim(e.episode_type)) as episode_type,
       {{ council_date('e.start_date') }} as start_date, {{ council_date('e.end_date') }} as end_date,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_children_social_care') }} e
{{ council_place('r', 'e.record_key') }}
