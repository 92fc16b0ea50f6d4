-- SYNTHETIC council data. Reports of fly-tipping to the council in the year, counted where it was dumped, per 1,000 residents.
{{ council_base('stg_council_crm_cases', count_key='record_key', where="category = 'fly_tipping'") }}
{{ to_all_levels('base') }}
