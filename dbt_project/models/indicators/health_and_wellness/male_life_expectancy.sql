-- GLA ward profiles: male life expectancy at birth, 2009-13 (context; published for the pre-2022 wards, spread to their LSOAs).
{{ ward_profile_base("male_life_expectancy_2009_13", 2013) }}
{{ to_all_levels('base') }}
