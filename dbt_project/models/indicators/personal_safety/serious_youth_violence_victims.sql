-- SYNTHETIC council data. Residents recorded as victims of serious youth violence (aged under 20, the Metropolitan Police definition) in the year, per 1,000 residents.
{{ council_base('stg_council_community_safety', count_key='resident_key', where="incident_type = 'serious_youth_violence'") }}
{{ to_all_levels('base') }}
