-- SYNTHETIC council data. Residents known in the year to two or more council services (housing, revenues and benefits, social care, education, community safety, libraries), linked across systems, per 1,000 residents.
{{ council_base('stg_council_services_known', count_key='resident_key', where='services >= 2') }}
{{ to_all_levels('base') }}
