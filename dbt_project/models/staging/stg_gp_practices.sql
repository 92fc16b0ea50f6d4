-- epraccur: open and close dates as YYYYMMDD; status A = active. Prescribing setting 4 is a GP practice.
select org_code, name, postcode, upper(replace(postcode, ' ', '')) as postcode_key,
       strptime(nullif(open_date, ''), '%Y%m%d')::date as open_date,
       strptime(nullif(close_date, ''), '%Y%m%d')::date as close_date,
       status, try_cast(prescribing_setting as integer) as prescribing_setting,
       try_cast(prescribing_setting as integer) = 4 as is_gp_practice
from {{ source('raw', 'gp_practices') }}
