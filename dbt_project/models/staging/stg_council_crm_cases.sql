-- SYNTHETIC CRM reports, counted where the problem is (UPRN, postcode or point); the
-- export wrote dd/mm/yyyy HH:MM before 2019 and ISO timestamps after.
select c.record_key, {{ council_date('c.created_at') }} as created_date, year({{ council_date('c.created_at') }}) as year,
       lower(trim(c.category)) as category, lower(trim(c.status)) as status,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_crm_cases') }} c
{{ council_place('r', 'c.record_key') }}
