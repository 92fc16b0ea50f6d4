-- SYNTHETIC council data. Share of year 6 children measured by the NCMP who are underweight (UK90 centile 2 or below).
{{ council_base('stg_council_ncmp', count_key='resident_key', where="weight_category = 'underweight'", denominator_key='resident_key', year_rows="select * from " ~ ref('stg_council_ncmp') ~ " where school_year = '6'") }}
{{ to_all_levels('base') }}
