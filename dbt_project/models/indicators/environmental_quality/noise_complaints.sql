-- SYNTHETIC council data. Noise complaints made to the council in the year, counted where the noise was, per 1,000 residents.
{{ council_base('stg_council_crm_cases', count_key='record_key', where="category = 'noise'") }}
{{ to_all_levels('base') }}
