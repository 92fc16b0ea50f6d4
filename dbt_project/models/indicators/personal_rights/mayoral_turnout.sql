-- GLA ward profiles: turnout at the 2012 London Mayoral election (context; published for the pre-2022 wards, spread to their LSOAs).
{{ ward_profile_base("mayoral_turnout_2012 / 100", 2012) }}
{{ to_all_levels('base') }}
