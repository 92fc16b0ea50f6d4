-- SYNTHETIC council data. Library members who borrowed or visited in the year, per 1,000 residents (each member once).
{{ council_base('stg_council_library_activity', count_key='resident_key', where='active') }}
{{ to_all_levels('base') }}
