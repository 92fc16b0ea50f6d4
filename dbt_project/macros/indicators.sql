{# The index indicators, read from the project's own graph: every model under
   models/indicators/ with `meta.indicator` in its YAML. There is no second list to keep
   in sync: adding an indicator model with its YAML adds it here. #}
{% macro indicator_nodes() -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='name') -%}
            {%- if node.resource_type == 'model' and 'indicator' in node.tags and node.config.meta.get('indicator') -%}
                {%- do found.append(node) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}

{% macro sql_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}


{# The SQL of the comparator / exclusion marts: the <model>__comparators or
   <model>__exclusions companion table of every indicator model found in the graph, stacked. Models not built yet in this warehouse are skipped (the on-run-end hook
   below recreates the views once every model of the run exists). #}
{% macro indicator_mart_sql(kind, comparator_areas=none) -%}
    {#- the companion tables are created by a post-hook, which dbt's relation cache does not
        see: look them up in the warehouse's catalogue instead -#}
    {%- set existing = [] -%}
    {%- if execute -%}
        {%- set found = run_query("select table_schema || '.' || table_name from information_schema.tables") -%}
        {%- for row in found.rows -%}{%- do existing.append(row[0]) -%}{%- endfor -%}
    {%- endif -%}
    {%- set rels = [] -%}
    {%- set flagged = [] -%}
    {%- for node in indicator_nodes() -%}
        {%- if (node.schema ~ '.' ~ node.alias ~ '__' ~ kind) in existing -%}
            {%- do rels.append(node.database ~ '.' ~ node.schema ~ '."' ~ node.alias ~ '__' ~ kind ~ '"') -%}
        {%- endif -%}
        {%- if (node.schema ~ '.' ~ node.alias) in existing -%}
            {%- do flagged.append(node.database ~ '.' ~ node.schema ~ '."' ~ node.alias ~ '"') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if kind == 'comparators' %}
with stacked as (
    {%- for rel in rels %}
    select indicator_id, area_code, year, numerator, denominator, value, unit, period
    from {{ rel }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not rels %}
    select null::varchar as indicator_id, null::varchar as area_code, null::integer as year, null::double as numerator,
           null::double as denominator, null::double as value, null::varchar as unit, null::varchar as period
    where false
    {%- endif %}
)
select s.indicator_id, s.area_code as comparator_code, c.comparator_name, c.comparator_type,
       s.year, s.numerator, s.denominator, s.value, s.unit, s.period
from stacked s
join {{ comparator_areas or ref('int_comparator_areas') }} c on c.comparator_code = s.area_code
    {%- elif kind == 'exclusions' %}
    {%- for rel in rels + flagged %}
select indicator_id, area_code, area_level, boundary, year, numerator, denominator, unit, period, quality_flag
from {{ rel }} where quality_flag is not null
{{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not (rels + flagged) %}
select null::varchar as indicator_id, null::varchar as area_code, null::varchar as area_level, null::varchar as boundary,
       null::integer as year, null::double as numerator, null::double as denominator, null::varchar as unit,
       null::varchar as period, null::varchar as quality_flag
where false
    {%- endif %}
    {%- else %}
    {{ exceptions.raise_compiler_error("indicator_mart_sql: unknown kind " ~ kind) }}
    {%- endif %}
{%- endmacro %}

{# on-run-end: recreate the comparator and exclusion views over every indicator table that
   now exists, so they are complete after any run (dbt may have built them before some
   indicator models). Only views that already exist are refreshed. #}
{% macro refresh_indicator_marts() -%}
    {%- if execute -%}
        {%- for kind, name in [('comparators', 'indicator_comparators'), ('exclusions', 'indicator_exclusions')] -%}
            {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name) -%}
            {%- if node -%}
                {%- set rel = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
                {%- set areas = graph.nodes.get('model.' ~ project_name ~ '.int_comparator_areas') -%}
                {%- if rel is not none and areas -%}
                    {%- do run_query('create or replace view ' ~ rel ~ ' as ' ~ indicator_mart_sql(kind, areas.relation_name)) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
