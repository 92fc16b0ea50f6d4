-- Public libraries by the year they describe, placed at their postcode's Code-Point centroid
-- (EPSG:27700): one row per library and year, with `status`:
--   statutory  a static statutory library open in that year;
--   undated    a library whose statutory status changed between 2010 and 2016 with no date
--              in the data (e.g. handed to a community group, or made statutory, in a year
--              the list does not give): it may or may not count in 2011-2015.
-- Years: 2011-2016 from the DCMS Libraries Taskforce list (statutory in 2010 and/or 2016,
-- not closed in or before the year, opened by then); 2022 from the Arts Council England
-- list of open static statutory libraries (December 2022). 2010 is left out: the index and
-- its resident weights start in 2011 (var first_year). A library statutory in 2010 and
-- closed in a given year counts until that year; one opened since 2010 and statutory in
-- 2016 counts from its opening year. easting/northing are null for a postcode that is not
-- a live Code-Point postcode (a terminated postcode): such a library cannot be placed.
with taskforce as (
    select t.*, pc.easting, pc.northing
    from {{ ref('stg_libraries_taskforce') }} t
    left join {{ ref('stg_postcodes') }} pc using (postcode_key)
),
years as (
    select range::integer as year from range(2011, 2017)
),
taskforce_years as (
    select y.year, 'libraries_taskforce' as source, t.library_id, t.name, t.postcode, t.easting, t.northing,
           case
               when y.year = 2016 then case when t.statutory_2016 then 'statutory' end
               when t.statutory_2010 and t.statutory_2016 then 'statutory'
               when t.statutory_2010 and t.closed_year is not null then 'statutory'  -- until its dated closure
               when t.statutory_2016 and t.opened_year is not null then 'statutory'  -- from its dated opening
               when t.statutory_2010 or t.statutory_2016 then 'undated'
           end as status
    from taskforce t
    cross join years y
    where (t.opened_year is null or t.opened_year <= y.year)
      and (t.closed_year is null or t.closed_year > y.year)
),
ace as (
    select 2022 as year, 'libraries_ace' as source, a.library_id, a.library_name as name, a.postcode,
           pc.easting, pc.northing, 'statutory' as status
    from {{ ref('stg_libraries_ace') }} a
    left join {{ ref('stg_postcodes') }} pc using (postcode_key)
)
select * from taskforce_years where status is not null
union all
select * from ace
