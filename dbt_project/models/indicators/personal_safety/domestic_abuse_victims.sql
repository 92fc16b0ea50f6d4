-- SYNTHETIC council data. Residents recorded by the police as victims of a domestic abuse incident in the year (shared with the council), per 1,000 residents.
{{ council_base('stg_council_community_safety', count_key='resident_key', where="incident_type = 'domestic_abuse'") }}
{{ to_all_levels('base') }}
