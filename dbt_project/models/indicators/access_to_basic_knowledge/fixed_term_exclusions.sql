-- SYNTHETIC council data. Share of resident pupils with one or more fixed-term (suspension) exclusions in the academic year.
{{ council_base('stg_council_education_pupils', count_key='resident_key', where='fixed_term_exclusions > 0', denominator_key='resident_key') }}
{{ to_all_levels('base') }}
