select lsoa11_code, lad13_code as lad_code, 2015 as year,
       try_cast("IMD_score" as double) as imd_score, try_cast("IMD_rank" as double)::integer as imd_rank,
       try_cast("IMD_decile" as double)::integer as imd_decile
from {{ source('raw', 'imd2015') }}
