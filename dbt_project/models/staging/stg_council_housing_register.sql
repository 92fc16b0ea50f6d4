-- SYNTHETIC housing register: live applications at 31 March of each snapshot year.
select h.record_key, r.resident_key, r.household_key, try_cast(h.snapshot_year as integer) as year,
       upper(trim(h.band)) as band, try_cast(h.bedrooms_needed as integer) as bedrooms_needed,
       try_cast(h.bedrooms_current as integer) as bedrooms_current, {{ council_flag('h.overcrowded') }} as overcrowded,
       try_cast(h.household_size as integer) as household_size,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_housing_register') }} h
{{ council_place('r', 'h.record_key') }}
