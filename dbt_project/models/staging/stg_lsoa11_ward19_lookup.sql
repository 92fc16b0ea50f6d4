select "LSOA11CD" as lsoa11_code, "LSOA11NM" as lsoa11_name, "WD19CD" as ward19_code,
       "WD19NM" as ward19_name, "LAD19CD" as lad_code, "LAD19NM" as lad_name
from {{ source('raw', 'lsoa11_ward19_lookup') }}
