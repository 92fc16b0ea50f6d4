-- SYNTHETIC discretionary housing payments, counted at the address of the household's claim.
select d.record_key, c.household_key, c.resident_key, {{ council_date('d.award_date') }} as award_date,
       year({{ council_date('d.award_date') }}) as year, try_cast(d.amount as double) as amount,
       lower(trim(d.reason)) as reason,
       c.lsoa11_code, c.lsoa21_code, coalesce(c.in_borough, false) as in_borough, c.unplaced_reason
from {{ source('raw', 'council_dhp_awards') }} d
{{ council_place('c', 'd.claim_ref_key') }}
