select * from {{ source('geography', 'lsoa11_lookup') }}
