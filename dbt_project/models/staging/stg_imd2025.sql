select lsoa21_code, 2025 as year,
       {{ cast_all_to_double(source('raw', 'imd2025'), except=['lsoa21_code', '_source_file']) }}
from {{ source('raw', 'imd2025') }}
