-- SYNTHETIC council data. Share of reception-year children measured by the NCMP who are overweight, obese or severely obese (UK90 centile 85 or above).
{{ council_base('stg_council_ncmp', count_key='resident_key', where="weight_category in ('overweight', 'obese', 'severely_obese')", denominator_key='resident_key', year_rows="select * from " ~ ref('stg_council_ncmp') ~ " where school_year = 'R'") }}
{{ to_all_levels('base') }}
