-- SYNTHETIC council data. Share of council tax accounts in arrears at the end of the financial year.
{{ council_base('stg_council_tax_accounts', count_key='household_key', where='arrears_at_year_end > 0', denominator_key='household_key') }}
{{ to_all_levels('base') }}
