{# Every reporting area of each listed boundary has a row for every year the borough has
   one: an indicator is reported at every level for every year of its source. Returns the
   missing (boundary, area, year). #}
{% test indicator_complete(model, boundaries) %}
with years as (
    select distinct year from {{ model }} where boundary = 'lad'
),
expected as (
    select a.boundary, a.area_code, y.year
    from {{ ref('stg_geography_areas') }} a
    cross join years y
    where a.boundary in ({% for b in boundaries %}'{{ b }}'{{ ", " if not loop.last }}{% endfor %})
)
select e.*
from expected e
left join {{ model }} m on m.boundary = e.boundary and m.area_code = e.area_code and m.year = e.year
where m.area_code is null
{% endtest %}
