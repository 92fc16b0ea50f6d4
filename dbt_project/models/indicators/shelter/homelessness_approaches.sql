-- SYNTHETIC council data. Households that approached the council as homeless or threatened with homelessness in the year, per 1,000 residents.
{{ council_base('stg_council_homelessness_cases', count_key='household_key') }}
{{ to_all_levels('base') }}
