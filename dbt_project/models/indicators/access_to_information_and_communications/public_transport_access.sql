-- GLA ward profiles: average public transport accessibility score (PTAL), 2014 (context; published for the pre-2022 wards, spread to their LSOAs).
{{ ward_profile_base("ptal_2014", 2014) }}
{{ to_all_levels('base') }}
