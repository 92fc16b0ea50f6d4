-- IoD 2019 share of young people not staying on in school or non-advanced education after 16, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'staying_on_in_education_post_16_indicator') }}
)
{{ to_all_levels('base') }}
