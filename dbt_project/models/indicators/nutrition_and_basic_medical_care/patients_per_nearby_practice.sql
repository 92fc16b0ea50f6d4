-- Mean registered list size (patients per practice, not per GP: no workforce data) of the GP
-- practices within 1 km (straight line) of the LSOA 2011's representative point, resident-weighted.
-- The practices are those with a list on the NHS Digital extract date (1 January 2021: year
-- 2021), placed at their epraccur postcode's Code-Point centroid, as the other GP indicators.
-- An LSOA with no listed practice within 1 km has no value (missing, never zero).
with lists as (
    select pr.org_code, pr.easting, pr.northing, l.year, l.registered_patients
    from {{ ref('int_gp_practice_locations') }} pr
    join {{ ref('stg_gp_list_sizes') }} l using (org_code)
    where l.registered_patients is not null
),
nearby as (
    select g.lsoa11_code, y.year,
           avg(l.registered_patients) filter (
               where sqrt(power(g.centroid_x - l.easting, 2) + power(g.centroid_y - l.northing, 2)) <= 1000) as mean_list_size
    from {{ ref('stg_geography_lsoa11_lookup') }} g
    cross join (select distinct year from lists) y
    left join lists l on l.year = y.year
    group by all
),
base as (
    select 'lsoa11' as source_boundary, n.lsoa11_code as source_code, n.year,
           n.mean_list_size * p.population as numerator,
           case when n.mean_list_size is not null then p.population end as denominator
    from nearby n join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base') }}
