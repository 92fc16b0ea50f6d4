-- Each linked resident and year with the number of council services that knew them that
-- year (a service: housing, revenues, children's or adults' social care, libraries,
-- education, community safety, public health). Built on Splink's resident keys: the same
-- person in two systems is one resident known to two services.
with touches as (
    select resident_key, year, 'housing' as service, lsoa11_code, in_borough from ({{ council_open_years('stg_council_tenancies') }})
    union all select resident_key, year, 'housing', lsoa11_code, in_borough from {{ ref('stg_council_homelessness_cases') }}
    union all select resident_key, year, 'housing', lsoa11_code, in_borough from {{ ref('stg_council_housing_register') }}
    union all select resident_key, year, 'revenues', lsoa11_code, in_borough from ({{ council_open_years('stg_council_tax_support') }})
    union all select resident_key, year, 'children_social_care', lsoa11_code, in_borough from ({{ council_open_years('stg_council_children_social_care') }})
    union all select resident_key, year, 'adult_social_care', lsoa11_code, in_borough from ({{ council_open_years('stg_council_adult_social_care') }})
    union all select resident_key, year, 'libraries', lsoa11_code, in_borough from {{ ref('stg_council_library_activity') }} where active
    union all select resident_key, year, 'education', lsoa11_code, in_borough from {{ ref('stg_council_education_pupils') }}
    union all select resident_key, year, 'community_safety', lsoa11_code, in_borough from {{ ref('stg_council_community_safety') }}
)
-- a resident is counted where they were last placed that year (the LSOA of most of their records)
select resident_key, year, count(distinct service) as services,
       mode(lsoa11_code) filter (where in_borough) as lsoa11_code,
       bool_or(in_borough) as in_borough
from touches
where resident_key is not null and year is not null
group by all
