-- SYNTHETIC council data. Reports of anti-social behaviour to the council in the year, counted where it happened, per 1,000 residents.
{{ council_base('stg_council_crm_cases', count_key='record_key', where="category = 'anti_social_behaviour'") }}
{{ to_all_levels('base') }}
