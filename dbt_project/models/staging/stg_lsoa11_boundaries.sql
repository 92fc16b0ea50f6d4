select "LSOA11CD" as lsoa11_code, "LSOA11NM" as lsoa11_name, "LAD11CD" as lad_code
from {{ source('raw', 'lsoa11_boundaries') }}
