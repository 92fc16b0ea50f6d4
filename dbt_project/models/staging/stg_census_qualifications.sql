-- Census 2021 TS067 highest level of qualification: usual residents aged 16 and over, those
-- with no qualifications and those with level 4 and above (degree level), LSOA 2021.
-- The year is the census year as published in the `date` column (2021).
select "geography code" as lsoa21_code,
       try_cast("date" as integer) as year,
       try_cast("Highest level of qualification: Total: All usual residents aged 16 years and over" as double)::integer as residents_16_plus,
       try_cast("Highest level of qualification: No qualifications" as double)::integer as no_qualifications,
       try_cast("Highest level of qualification: Level 4 qualifications and above" as double)::integer as level4_and_above
from {{ source('raw', 'census_qualifications') }}
