-- SYNTHETIC National Child Measurement Programme records, dated by the academic year of the
-- measurement (September to August, labelled by the year it starts).
select m.record_key, r.resident_key, upper(trim(m.school_year)) as school_year,
       {{ council_date('m.measurement_date') }} as measurement_date,
       case when month({{ council_date('m.measurement_date') }}) >= 9 then year({{ council_date('m.measurement_date') }})
            else year({{ council_date('m.measurement_date') }}) - 1 end as year,
       try_cast(m.bmi_centile as double) as bmi_centile, lower(trim(m.weight_category)) as weight_category,
       r.lsoa11_code, r.lsoa21_code, coalesce(r.in_borough, false) as in_borough, r.unplaced_reason
from {{ source('raw', 'council_ncmp') }} m
{{ council_place('r', 'm.record_key') }}
