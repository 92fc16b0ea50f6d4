-- How a row on a source geography (LSOA 2011, LSOA 2021, ward 2019) reaches every reporting
-- area of the borough: the geography engine's bridges (official lookups, and apportionment
-- by residents' postcode centroids where areas do not nest), plus identity rows for the
-- source's own vintage. `weight` sums to 1 for each source area and target boundary, so
-- counts, numerators and denominators multiplied by it and summed are apportioned.
with bridges as (
    select source_level as source_boundary, source_code, target_level as boundary, target_code as area_code,
           weight, method
    from {{ source('geography', 'bridges') }}
    where bridge in ('lsoa11->lsoa21', 'lsoa11->ward19', 'lsoa11->ward22', 'lsoa11->lad',
                     'lsoa21->lsoa11', 'lsoa21->ward19', 'lsoa21->ward22', 'lsoa21->lad',
                     'ward19->ward22', 'ward19->lad')
),
identity as (
    select boundary as source_boundary, area_code as source_code, boundary, area_code, 1.0 as weight, 'identity' as method
    from {{ ref('stg_geography_areas') }}
    where boundary in ('lsoa11', 'lsoa21', 'ward19')
)
select b.source_boundary, b.source_code, b.boundary,
       case when b.boundary in ('lsoa11', 'lsoa21') then 'lsoa' when b.boundary = 'lad' then 'borough' else 'ward' end as area_level,
       b.area_code, b.weight::double as weight, b.method
from (select * from bridges union all select * from identity) b
