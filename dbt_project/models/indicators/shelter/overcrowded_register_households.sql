-- SYNTHETIC council data. Households on the housing register (31 March) assessed as overcrowded, per 1,000 residents.
{{ council_base('stg_council_housing_register', count_key='household_key', where='overcrowded') }}
{{ to_all_levels('base') }}
