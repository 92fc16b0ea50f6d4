select "Crime ID" as crime_id, "Month" as month, try_cast("Longitude" as double) as longitude,
       try_cast("Latitude" as double) as latitude, "LSOA code" as lsoa11_code_police,
       "Crime type" as crime_type, "Last outcome category" as last_outcome
from {{ source('raw', 'police_uk') }}
