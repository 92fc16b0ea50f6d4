-- The IoD 2019 underlying indicators, typed. Names follow the published column names.
select lsoa11_code, 2019 as year,
       {{ cast_all_to_double(source('raw', 'imd2019_indicators'), except=['lsoa11_code', '_source_file']) }}
from {{ source('raw', 'imd2019_indicators') }}
