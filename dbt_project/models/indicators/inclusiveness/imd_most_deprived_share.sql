-- Share of residents living in an LSOA in the 20% most deprived in England on the Index of Multiple Deprivation (IoD 2015, 2019 and 2025). Context: the IMD is weighted towards income and employment.
with base as (
    {{ deprived_share('stg_imd2015', 'imd_decile') }}
    union all
    {{ deprived_share('stg_imd2019', 'imd_decile') }}
    union all
    {{ deprived_share('stg_imd2025', 'imd_decile', 'lsoa21') }}
)
{{ to_all_levels('base') }}
