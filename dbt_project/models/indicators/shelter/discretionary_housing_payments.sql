-- SYNTHETIC council data. Households awarded a discretionary housing payment in the year, per 1,000 residents. Context: a spending figure, not an outcome.
{{ council_base('stg_council_dhp_awards', count_key='household_key') }}
{{ to_all_levels('base') }}
