-- GLA ward profiles: share of the ward's area that is open space, 2014 (context; published for the pre-2022 wards, spread to their LSOAs).
{{ ward_profile_base("open_space_pct_2014 / 100", 2014) }}
{{ to_all_levels('base') }}
