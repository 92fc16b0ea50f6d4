-- Census 2021 households by occupancy rating for bedrooms, LSOA 2021, one row per LSOA and
-- rating; `is_overcrowded` marks the ratings of -1 or less (fewer bedrooms than the household needs).
select lsoa21_code, 2021 as year,
       occupancy_rating,
       occupancy_rating in ('-1 (overcrowded)', '-2 or less (overcrowded)') as is_overcrowded,
       try_cast(n as double)::integer as households,
       try_cast(total_households as double)::integer as total_households
from {{ source('raw', 'census_occupancy_bedrooms') }}
