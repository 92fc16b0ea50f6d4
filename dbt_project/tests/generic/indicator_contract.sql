{#
  The contract every indicator model keeps, in one test applied to every indicator
  (`data_tests: [indicator_contract, no_excluded_rows]` in its YAML). What the indicator
  means is read from its meta.indicator through indicator_settings (the same reading
  to_all_levels makes), so nothing is restated per model. One row per broken rule and
  row, with `rule` (which check), the row's boundary, area_code and year, and `detail`
  (what was found and what was expected):

    unique_key          one row per (area_level, boundary, area_code, year)
    area_code_not_null  every row has an area code ...
    year_not_null       ... and a year
    known_area          the area code is an area of the geography (stg_geography_areas)
    area_level          lsoa, ward or borough (comparator and excluded rows live in the
                        companion tables)
    quality_flag        null, zero_denominator, incomplete_sources or not_covered
    numerator_range     numerator >= 0, unless value_range lets the value be negative
    denominator_range   denominator > 0 (null when withheld, or for a count)
    value_range         value within meta.indicator.value_range (defaults: [0, 1] for a
                        share, non-negative otherwise)
    complete            every area of every boundary in `boundaries` has a row for every
                        year the borough has one
#}
{% test indicator_contract(model, boundaries=['lsoa11', 'lsoa21', 'ward19', 'ward22', 'lad']) %}
{%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model.identifier) if execute else none -%}
{%- set ind = indicator_settings((node.config.meta.get('indicator') if node else none) or {}, model.identifier) -%}
{%- set lo, hi = ind.value_range[0], ind.value_range[1] -%}
{%- set range_text = '[' ~ ('null' if lo is none else lo) ~ ', ' ~ ('null' if hi is none else hi) ~ ']' -%}
with m as (
    select * from {{ model }}
),
areas as (
    select distinct boundary, area_code from {{ ref('stg_geography_areas') }}
),
years as (
    select distinct year from m where boundary = 'lad'
),
problems as (
    select 'unique_key' as rule, boundary, area_code, year,
           count(*) || ' rows for (area_level, boundary, area_code, year) = (' || coalesce(area_level, 'null') || ', '
           || coalesce(boundary, 'null') || ', ' || coalesce(area_code, 'null') || ', ' || coalesce(year::varchar, 'null')
           || '): expected one' as detail
    from m group by area_level, boundary, area_code, year having count(*) > 1
    union all
    select 'area_code_not_null', boundary, area_code, year, 'area_code is null (boundary ' || coalesce(boundary, 'null') || ')'
    from m where area_code is null
    union all
    select 'year_not_null', boundary, area_code, year, 'year is null (boundary ' || coalesce(boundary, 'null') || ')'
    from m where year is null
    union all
    select 'known_area', m.boundary, m.area_code, m.year, 'area_code ' || m.area_code || ' is not an area of stg_geography_areas'
    from m where m.area_code is not null and m.area_code not in (select area_code from areas)
    union all
    select 'area_level', boundary, area_code, year,
           'area_level ' || coalesce(area_level, 'null') || ' is not one of lsoa, ward, borough'
    from m where area_level is null or area_level not in ('lsoa', 'ward', 'borough')
    union all
    select 'quality_flag', boundary, area_code, year,
           'quality_flag ' || quality_flag || ' is not one of zero_denominator, incomplete_sources, not_covered (or null)'
    from m where quality_flag is not null and quality_flag not in ('zero_denominator', 'incomplete_sources', 'not_covered')
    {%- if ind.numerator_min is not none %}
    union all
    select 'numerator_range', boundary, area_code, year,
           'numerator ' || numerator || ' is negative: a measure that can be negative declares it in meta.indicator '
           || '(value_range: [min, max] with min < 0 or null), which also allows negative numerators'
    from m where numerator < {{ ind.numerator_min }}
    {%- endif %}
    union all
    select 'denominator_range', boundary, area_code, year, 'denominator ' || denominator || ' is not > 0 (use null for no denominator)'
    from m where denominator <= 0
    {%- if lo is not none or hi is not none %}
    union all
    select 'value_range', boundary, area_code, year,
           'value ' || value || ' is outside {{ range_text }} ({{ ind.value_range_basis | replace("'", "''") }})'
    from m
    where {% if lo is not none %}value < {{ lo }}{% else %}false{% endif %}
       or {% if hi is not none %}value > {{ hi }}{% else %}false{% endif %}
    {%- endif %}
    union all
    select 'complete', a.boundary, a.area_code, y.year,
           'no row for ' || a.boundary || ' area ' || a.area_code || ' in ' || y.year
           || ' (the borough has one that year: every area of every boundary must)'
    from areas a
    cross join years y
    left join m on m.boundary = a.boundary and m.area_code = a.area_code and m.year = y.year
    where a.boundary in ({% for b in boundaries %}'{{ b }}'{{ ", " if not loop.last }}{% endfor %})
      and m.area_code is null
)
select * from problems
{% endtest %}
