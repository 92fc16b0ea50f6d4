-- One row per LSOA 2011, pollutant, year and statistic (min, max, mean, std, median).
with long as (
    unpivot {{ source('raw', 'air_quality') }}
    on columns(* exclude ("LSOA11CD", _source_file))
    into name measure value concentration
)
select "LSOA11CD" as lsoa11_code,
       split_part(measure, '-', 1) as pollutant,
       split_part(measure, '-', 2)::integer as year,
       split_part(measure, '-', 3) as statistic,
       try_cast(concentration as double) as concentration
from long
