-- SYNTHETIC council data. Share of year 6 children measured by the NCMP who are obese or severely obese (UK90 centile 95 or above).
{{ council_base('stg_council_ncmp', count_key='resident_key', where="weight_category in ('obese', 'severely_obese')", denominator_key='resident_key', year_rows="select * from " ~ ref('stg_council_ncmp') ~ " where school_year = '6'") }}
{{ to_all_levels('base') }}
