-- Mid-year estimates by LSOA 2011; the year is in the file name (london-mid2019-pop.csv).
select "LSOA11CD" as lsoa11_code, "LAD11CD" as lad_code,
       regexp_extract(_source_file, 'mid([0-9]{4})', 1)::integer as year,
       try_cast("Persons_All-Ages" as integer) as persons,
       try_cast("Persons_0-15" as integer) as persons_0_15,
       try_cast("Persons_16-29" as integer) as persons_16_29,
       try_cast("Persons_30-44" as integer) as persons_30_44,
       try_cast("Persons_45-64" as integer) as persons_45_64,
       try_cast("Persons_65+" as integer) as persons_65_plus
from {{ source('raw', 'population') }}
