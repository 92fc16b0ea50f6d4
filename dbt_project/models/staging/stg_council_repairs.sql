-- SYNTHETIC housing repairs, counted at the property (its UPRN), for the tenancy's household.
select p.record_key, t.household_key, p.tenancy_ref_key as tenancy_key,
       {{ council_date('p.reported_date') }} as reported_date, {{ council_date('p.completed_date') }} as completed_date,
       lower(trim(p.category)) as category, lower(trim(p.priority)) as priority,
       try_cast(p.target_days as integer) as target_days,
       year({{ council_date('p.reported_date') }}) as year,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_housing_repairs') }} p
{{ council_place('r', 'p.record_key') }}
left join {{ source('council', 'records') }} t on t.record_key = p.tenancy_ref_key
