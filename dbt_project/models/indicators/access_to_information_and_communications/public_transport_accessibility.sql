-- TfL average public transport accessibility index (PTAI) of each LSOA 2011, 2015,
-- resident-weighted (a higher PTAI: more services within walking distance, more often).
with base as (
    {{ resident_weighted('stg_ptal', 'average_ptai') }}
)
{{ to_all_levels('base') }}
