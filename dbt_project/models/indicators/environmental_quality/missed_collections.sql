-- SYNTHETIC council data. Missed household waste collections reported in the year, per 1,000 residents.
{{ council_base('stg_council_crm_cases', count_key='record_key', where="category = 'missed_collection'") }}
{{ to_all_levels('base') }}
