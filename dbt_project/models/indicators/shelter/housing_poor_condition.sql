-- IoD 2019 modelled share of social and private homes failing the Decent Homes standard, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'housing_in_poor_condition_indicator') }}
)
{{ to_all_levels('base') }}
