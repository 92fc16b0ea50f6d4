-- Share of residents living in an LSOA in the 20% most deprived in England on the IoD barriers to housing and services domain (IoD 2019 and IoD 2025).
with base as (
    {{ deprived_share('stg_imd2019', 'housing_and_access_decile') }}
    union all
    {{ deprived_share('stg_imd2025', 'housing_and_services_decile', 'lsoa21') }}
)
{{ to_all_levels('base') }}
