-- SYNTHETIC council data. Every council tenancy open in each year (counted where the home
-- is), with each repair reported for it that year (none: one row with no repair): the base
-- of the per-home repair indicators, whose denominator is the tenancies open that year.
select t.record_key as tenancy_key, t.lsoa11_code, t.in_borough, t.year,
       r.record_key as repair_key, r.category, r.priority
from ({{ council_open_years('stg_council_tenancies') }}) t
left join {{ ref('stg_council_repairs') }} r on r.tenancy_key = t.record_key and r.year = t.year
