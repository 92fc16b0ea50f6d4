select try_cast(year as integer) as year, lsoa11cd as lsoa11_code, shef_b_code as category_code,
       try_cast(reports as integer) as reports, try_cast(unique_users as integer) as unique_users
from {{ source('raw', 'fixmystreet') }}
