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
