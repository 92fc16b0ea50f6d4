-- GLA ward profiles: share of year 6 children who are obese, 2011/12-2013/14 (context; published for the pre-2022 wards, spread to their LSOAs).
-- Published for the pre-2022 wards only. Each LSOA 2011 of the borough takes the value of
-- its ward (LSOAs nest in the 2019 wards), weighted by its residents, so the pre-2022
-- wards get their published value back and the current wards, LSOA 2021 and the borough
-- a resident-weighted mean. quality_flag cannot tell an LSOA value is its ward's: read
-- LSOA rows of this indicator as ward values.
with base as (
    select g.lsoa11_code, 2014 as year, w.pct_year6_obese_2012_14 / 100 * p.population as numerator, p.population as denominator
    from {{ ref('stg_geography_lsoa11_lookup') }} g
    join {{ ref('stg_ward_profiles') }} w on w.ward14_code = g.ward19_code
    left join {{ ref('int_lsoa11_population') }} p on p.lsoa11_code = g.lsoa11_code and p.year = 2014
)
{{ to_all_levels('base', period="'2011/12-2013/14'") }}
