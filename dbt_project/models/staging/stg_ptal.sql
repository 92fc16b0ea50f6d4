-- TfL average public transport accessibility index (PTAI) of each London LSOA 2011, 2015.
select trim("geography code") as lsoa11_code, 2015 as year, try_cast("AvPTAI2015" as double) as average_ptai
from {{ source('raw', 'ptal') }}
