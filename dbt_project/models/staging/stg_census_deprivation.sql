select lsoa21_code, 2021 as year,
       try_cast(households_number_deprivation_dimensions as double)::integer as deprivation_dimensions,
       try_cast("count" as double)::integer as households,
       try_cast("percent" as double) as percent_of_households
from {{ source('raw', 'census_deprivation') }}
