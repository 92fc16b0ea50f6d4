select "LSOA21CD" as lsoa21_code, "LSOA21NM" as lsoa21_name, "LAD22CD" as lad_code
from {{ source('raw', 'lsoa21_boundaries') }}
