-- SYNTHETIC council data. Households on the housing register (31 March), per 1,000 residents.
{{ council_base('stg_council_housing_register', count_key='household_key') }}
{{ to_all_levels('base') }}
