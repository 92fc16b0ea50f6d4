-- IoD IDACI: children aged 0-15 in income-deprived families over all residents (IoD 2019 and IoD 2025). Context.
with base as (
    {{ per_resident('stg_imd2019_indicators', 's.income_deprivation_affecting_children_index_idaci_numerator') }}
    union all
    {{ per_resident('stg_imd2025_indicators', 's.income_deprivation_affecting_children_index_idaci_numerator', 'lsoa21') }}
)
{{ to_all_levels('base') }}
