-- SYNTHETIC council data. Households owed the main housing duty (homeless, eligible, in priority need, not intentionally homeless) in the year, per 1,000 residents.
{{ council_base('stg_council_homelessness_cases', count_key='household_key', where="duty = 'main_duty'") }}
{{ to_all_levels('base') }}
