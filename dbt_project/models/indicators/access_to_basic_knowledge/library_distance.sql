-- Straight-line distance (km) from each London LSOA 2011's population-weighted centroid
-- (ONS) to the nearest open static statutory public library of that year
-- (int_library_locations: 2011-2016 from the DCMS Libraries Taskforce list, 2022 from Arts
-- Council England), weighted by residents when aggregated. Libraries are placed at their
-- postcode's Code-Point centroid; one whose postcode is not a live Code-Point postcode
-- cannot be placed and is left out. A library whose statutory status changed in 2011-2015
-- with no date ('undated') can only matter when it would be the nearest: where the nearest
-- library with it differs from the nearest without it, the LSOA-year has no value
-- (missing, never a guess). Residents (the weight) are the estimate of the year, or of the
-- index's last year for a later year (2022): int_lsoa11_population ends at var last_year.
with libraries as (
    select * from {{ ref('int_library_locations') }} where easting is not null
),
nearest as (
    select c.lsoa11_code, l.year,
           min(sqrt(power(c.easting - l.easting, 2) + power(c.northing - l.northing, 2))) filter (where l.status = 'statutory') / 1000 as km_statutory,
           min(sqrt(power(c.easting - l.easting, 2) + power(c.northing - l.northing, 2))) / 1000 as km_any
    from {{ ref('stg_lsoa11_centroids') }} c
    cross join libraries l
    group by all
),
base as (
    select 'lsoa11' as source_boundary, n.lsoa11_code as source_code, n.year,
           case when n.km_statutory = n.km_any then n.km_statutory * p.population end as numerator,
           case when n.km_statutory = n.km_any then p.population end as denominator
    from nearest n
    left join {{ ref('int_lsoa11_population') }} p
           on p.lsoa11_code = n.lsoa11_code
          and p.year = least(n.year, (select max(year) from {{ ref('int_lsoa11_population') }}))
)
{{ to_all_levels('base') }}
