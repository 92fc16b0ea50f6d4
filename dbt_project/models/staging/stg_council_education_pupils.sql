-- SYNTHETIC resident pupils by academic year (the calendar year it starts).
select p.record_key, r.resident_key, r.household_key, try_cast(p.academic_year as integer) as year,
       upper(trim(p.year_group)) as year_group,
       try_cast(p.sessions_possible as double) as sessions_possible, try_cast(p.sessions_missed as double) as sessions_missed,
       try_cast(p.fixed_term_exclusions as integer) as fixed_term_exclusions,
       {{ council_flag('p.permanent_exclusion') }} as permanent_exclusion, {{ council_flag('p.ehc_plan') }} as ehc_plan,
       nullif(lower(trim(p.activity_16_17)), '') as activity_16_17,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_education_pupils') }} p
{{ council_place('r', 'p.record_key') }}
