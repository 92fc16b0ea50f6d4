-- DESNZ sub-regional fuel poverty, one row per published LSOA-year. Two measures that do
-- not compare (`metric`: LIHC 2011-2018, LILEE 2019-2022) and three code vintages
-- (`lsoa_vintage`: LSOA2001 in 2011, LSOA2011 in 2012-2020, LSOA2021 in 2021-2022); the
-- indicator models choose the rows of one measure and say which boundary each code is on.
select try_cast(year as integer) as year, trim(metric) as metric, trim(lsoa_vintage) as lsoa_vintage,
       trim(lsoa_code) as lsoa_code,
       case trim(lsoa_vintage) when 'LSOA2011' then 'lsoa11' when 'LSOA2021' then 'lsoa21' when 'LSOA2001' then 'lsoa01' end as boundary,
       try_cast(households as double)::integer as households,
       try_cast(fuel_poor_households as double)::integer as fuel_poor_households
from {{ source('raw', 'fuel_poverty') }}
