-- Census 2021 TS037 general health: all usual residents and those in bad or very bad health, LSOA 2021.
-- The year is the census year as published in the `date` column (2021).
select "geography code" as lsoa21_code,
       try_cast("date" as integer) as year,
       try_cast("General health: Total: All usual residents" as double)::integer as residents,
       try_cast("General health: Bad health" as double)::integer as bad_health,
       try_cast("General health: Very bad health" as double)::integer as very_bad_health
from {{ source('raw', 'census_general_health') }}
