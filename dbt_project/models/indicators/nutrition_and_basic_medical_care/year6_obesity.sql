-- GLA ward profiles: share of year 6 children who are obese, 2011/12-2013/14 (context; published for the pre-2022 wards, spread to their LSOAs).
{{ ward_profile_base("pct_year6_obese_2012_14 / 100", 2014) }}
{{ to_all_levels('base') }}
