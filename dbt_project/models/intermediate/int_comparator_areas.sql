-- The areas the borough is compared with: every London borough and London as a whole
-- (E12000007, the `region_code` var). comparator_type says what each is for: `borough` for
-- the neighbours shown beside the borough (the `comparators` var, passed by the platform
-- from catalogue/areas.yml, a list or a comma-separated string of E09 codes), `region` for
-- London, `london_borough` for the others, which serve only to rank the borough among the
-- 33 (its London rank targets, social_progress.publish.targets).
{% set codes = comparator_codes() %}
select b.lad_code as comparator_code, b.lad_name as comparator_name,
       case when b.lad_code in ({% for c in codes %}'{{ c }}'{{ ", " if not loop.last }}{% endfor %}{% if not codes %}null{% endif %})
            then 'borough' else 'london_borough' end as comparator_type
from {{ ref('stg_borough_boundaries') }} b
union all
select '{{ var("region_code") }}', '{{ var("region_name") }}', 'region'
