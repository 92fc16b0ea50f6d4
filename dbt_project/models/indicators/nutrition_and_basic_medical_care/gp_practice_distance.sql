-- Straight-line distance (km) from each LSOA's centroid to the nearest GP practice open
-- in that year (open on or before 31 December, not closed before 1 January), weighted by
-- residents when aggregated. Practices are placed at their postcode's Code-Point centroid.
with practices as (
    select * from {{ ref('int_gp_practice_locations') }}
),
nearest as (
    select s.lsoa11_code, s.year,
           min(sqrt(power(g.centroid_x - pr.easting, 2) + power(g.centroid_y - pr.northing, 2))) / 1000 as km
    from {{ lsoa11_year_spine(var('first_year'), var('last_year')) }} s
    join {{ ref('stg_geography_lsoa11_lookup') }} g using (lsoa11_code)
    join practices pr
      on (pr.open_date is null or year(pr.open_date) <= s.year)
     and (pr.close_date is null or year(pr.close_date) > s.year)
    group by all
),
base as (
    select 'lsoa11' as source_boundary, n.lsoa11_code as source_code, n.year, n.km * p.population as numerator, p.population as denominator
    from nearest n join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base') }}
