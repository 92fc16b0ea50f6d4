-- The areas the borough is compared with: the boroughs in the `comparators` var (passed
-- by the platform from catalogue/areas.yml, a list or a comma-separated string of E09
-- codes) and London as a whole (E12000007, the `region_code` var).
{% set codes = comparator_codes() %}
select b.lad_code as comparator_code, b.lad_name as comparator_name, 'borough' as comparator_type
from {{ ref('stg_borough_boundaries') }} b
where b.lad_code in ({% for c in codes %}'{{ c }}'{{ ", " if not loop.last }}{% endfor %}{% if not codes %}null{% endif %})
union all
select '{{ var("region_code") }}', '{{ var("region_name") }}', 'region'
