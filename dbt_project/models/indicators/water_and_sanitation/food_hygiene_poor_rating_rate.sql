-- Food businesses rated 0, 1 or 2 (improvement necessary or worse) by the Food Standards Agency per 1,000 residents, ratings in force in June 2020, placed by postcode.
-- A record whose postcode could not be placed has no LSOA: it is listed as an excluded
-- row (quality_flag missing_code) rather than silently dropped.
with poor as (
    select lsoa11_code, count(*) as businesses
    from {{ ref('stg_food_hygiene_located') }}
    where rating between 0 and 2
    group by all
),
base as (
    select g.lsoa11_code, 2020 as year, coalesce(poor.businesses, 0) as numerator, p.population as denominator
    from {{ ref('stg_geography_lsoa11_lookup') }} g
    left join poor using (lsoa11_code)
    left join {{ ref('int_lsoa11_population') }} p on p.lsoa11_code = g.lsoa11_code and p.year = 2020
    union all
    select null, 2020, businesses, null from poor where lsoa11_code is null
)
{{ to_all_levels('base', multiplier=1000, period="'2020-06'") }}
