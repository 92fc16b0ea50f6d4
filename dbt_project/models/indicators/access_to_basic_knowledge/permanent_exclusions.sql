-- SYNTHETIC council data. Resident pupils permanently excluded in the academic year, per 1,000 pupils.
{{ council_base('stg_council_education_pupils', count_key='resident_key', where='permanent_exclusion', denominator_key='resident_key') }}
{{ to_all_levels('base') }}
