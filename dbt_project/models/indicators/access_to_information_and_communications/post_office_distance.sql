-- IoD 2019: mean road distance (km) to a post office, resident-weighted.
with base as (
    select i.lsoa11_code, i.year, i.road_distance_to_a_post_office_indicator_km * p.population as numerator, p.population as denominator
    from {{ ref('stg_imd2019_indicators') }} i
    join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base', 'km', 1) }}
