-- Census 2021 households by tenure, LSOA 2021, one row per LSOA and tenure (8 categories);
-- `is_social_rented` marks renting from the council or local authority and other social renting.
select lsoa21_code, 2021 as year,
       tenure,
       tenure like 'Social rented:%' as is_social_rented,
       try_cast(n as double)::integer as households,
       try_cast(total_households as double)::integer as total_households
from {{ source('raw', 'census_tenure') }}
