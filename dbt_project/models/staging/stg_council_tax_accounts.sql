-- SYNTHETIC council tax accounts by financial year (the year it starts), with arrears at its end.
select a.record_key, r.household_key, r.resident_key, try_cast(a.financial_year as integer) as year,
       try_cast(a.charge as double) as charge, try_cast(a.arrears_at_year_end as double) as arrears_at_year_end,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_tax_accounts') }} a
{{ council_place('r', 'a.record_key') }}
