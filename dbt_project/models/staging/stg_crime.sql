-- One row per LSOA 2011, crime category and year. The category is in the file name
-- (london-2011-2021-major-burglary.csv -> burglary).
with long as (
    unpivot {{ source('raw', 'crime') }}
    on columns('^[0-9]{4}$')
    into name year value offences
)
select "LSOA11CD" as lsoa11_code, "LAD11CD" as lad_code,
       regexp_extract(_source_file, 'london-[0-9]{4}-[0-9]{4}-(major|minor)-(.+)\.csv', 2) as category,
       regexp_extract(_source_file, 'london-[0-9]{4}-[0-9]{4}-(major|minor)-', 1) as category_group,
       year::integer as year,
       try_cast(offences as double) as offences
from long
