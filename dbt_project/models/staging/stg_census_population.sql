select lsoa21_code, lsoa21_name, age_group, 2021 as year,
       try_cast(usual_residents as double)::integer as usual_residents
from {{ source('raw', 'census_population') }}
