-- NHS Digital patients registered at each GP practice (all ages and sexes), by practice code.
-- `year` is the year the list sizes describe, read from EXTRACT_DATE (01JAN2021 -> 2021).
select "CODE" as org_code,
       strptime("EXTRACT_DATE", '%d%b%Y')::date as extract_date,
       year(strptime("EXTRACT_DATE", '%d%b%Y')) as year,
       try_cast("NUMBER_OF_PATIENTS" as double)::integer as registered_patients
from {{ source('raw', 'gp_list_sizes') }}
