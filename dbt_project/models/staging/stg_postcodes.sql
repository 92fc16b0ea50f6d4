-- Postcodes are kept in their published form ("RM9 5AS"); joins use the normalised key.
select postcode, upper(replace(postcode, ' ', '')) as postcode_key,
       try_cast(positional_quality as integer) as positional_quality,
       try_cast(easting as double) as easting, try_cast(northing as double) as northing,
       lad_code, ward_code as ward22_code
from {{ source('raw', 'postcodes') }}
