-- IoD employment domain: working-age residents involuntarily out of work over all residents (IoD 2019 and IoD 2025). Context: the SPI excludes economic measures by design.
with base as (
    {{ per_resident('stg_imd2019_indicators', 's.employment_domain_numerator') }}
    union all
    {{ per_resident('stg_imd2025_indicators', 's.employment_domain_numerator', 'lsoa21') }}
)
{{ to_all_levels('base') }}
