-- Census 2021: share of households renting socially (from the council or local authority, or another social landlord), LSOA 2021.
with base as (
    {{ lsoa21_count_share('stg_census_tenure', 'is_social_rented') }}
)
{{ to_all_levels('base') }}
