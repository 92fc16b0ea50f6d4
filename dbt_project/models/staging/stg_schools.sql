select try_cast(urn as double)::bigint as urn, la_code, la_name, establishment_name,
       establishment_type, establishment_type_group, education_phase,
       try_cast(number_of_pupils as double) as number_of_pupils,
       try_cast(percentage_fsm as double) as percentage_fsm,
       try_cast(easting as double) as easting, try_cast(northing as double) as northing,
       lsoa_code as lsoa21_code
from {{ source('raw', 'schools') }}
