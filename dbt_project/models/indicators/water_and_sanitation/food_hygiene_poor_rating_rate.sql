-- Food businesses rated 0, 1 or 2 (improvement necessary or worse) by the Food Standards Agency per 1,000 residents, ratings in force in June-July 2020 (London extract 2020-07), placed by postcode.
-- The ratings are one extract (the ratings in force when it was taken): its year is the
-- year of the latest rating it holds, read from the data.
-- A record whose postcode could not be placed has no LSOA: it is listed as an excluded
-- row (quality_flag missing_code) rather than silently dropped.
with ratings as (
    select * from {{ ref('stg_food_hygiene_located') }}
),
extract_year as (
    select year(max(rating_date))::integer as year from ratings
),
poor as (
    select lsoa11_code, count(*) as businesses
    from ratings
    where rating between 0 and 2
    group by all
),
-- the extract covers a borough when it places any rated business in it: elsewhere an
-- LSOA without a poor rating is missing, not zero
covered as (
    select distinct g.lad_code
    from ratings r join {{ ref('stg_geography_lsoa11_lookup') }} g using (lsoa11_code)
),
base as (
    select 'lsoa11' as source_boundary, g.lsoa11_code as source_code, y.year,
           {{ covered_count('poor.businesses', 'cv.lad_code is not null') }} as numerator, p.population as denominator
    from {{ ref('stg_geography_lsoa11_lookup') }} g
    cross join extract_year y
    left join covered cv on cv.lad_code = g.lad_code
    left join poor using (lsoa11_code)
    left join {{ ref('int_lsoa11_population') }} p on p.lsoa11_code = g.lsoa11_code and p.year = y.year
    union all
    select 'lsoa11', null, y.year, businesses, null from poor cross join extract_year y where lsoa11_code is null
)
{{ to_all_levels('base') }}
