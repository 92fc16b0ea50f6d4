-- GLA ward profiles: one row per pre-2022 ward (plus borough, London and England rows,
-- which have no E05 code). A handful of well-used columns, typed.
select "Ward name" as ward_name, "Old code" as ward_old_code, "New code" as ward14_code,
       try_cast("Population - 2015" as double) as population_2015,
       try_cast("Male life expectancy -2009-13" as double) as male_life_expectancy_2009_13,
       try_cast(columns('^Female life expectancy -2009-13\s*$') as double) as female_life_expectancy_2009_13,
       try_cast("% children in year 6 who are obese- 2011/12 to 2013/14" as double) as pct_year6_obese_2012_14,
       try_cast("% area that is open space - 2014" as double) as open_space_pct_2014,
       try_cast("Average Public Transport Accessibility score - 2014" as double) as ptal_2014,
       try_cast("Turnout at Mayoral election - 2012" as double) as mayoral_turnout_2012
from {{ source('raw', 'ward_profiles') }}
where "New code" like 'E05%'
