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


{#
  indicator_settings(ind): what the macros and tests do for one indicator, read from its
  `meta.indicator` (ind) with the defaults filled in. The only place meta is interpreted:
  to_all_levels, the indicator_contract test and marts/indicator_metadata all call it.

    rule          'ratio' (value = multiplier x sum numerator / sum denominator) for the
                  aggregations rate, share and mean_population_weighted; 'sum' for sum
    multiplier    meta multiplier, default 1 (1000 for a rate per 1,000)
    unit          meta unit
    base_boundary meta base_boundary (lsoa11, lsoa21 or a list of both) as a list
    period_sql    meta period as a SQL literal, none (the year) when not given
    comparators   false only when meta says comparators: false
    value_range   meta value_range [min, max] (null = unbounded); default [0, 1] for a
                  share (aggregation share or a unit starting "share"), else [0, null]
    numerator_min 0, unless value_range allows negative values (e.g. an IoD score): null
#}
{% macro indicator_settings(ind, name=none) -%}
    {%- set name = name or this -%}
    {%- set rules = {'rate': 'ratio', 'share': 'ratio', 'mean_population_weighted': 'ratio', 'sum': 'sum'} -%}
    {%- set aggregation = ind.get('aggregation') -%}
    {%- if execute and aggregation not in rules -%}
        {{ exceptions.raise_compiler_error("meta.indicator.aggregation must be one of " ~ (rules.keys() | list | join(', '))
                                           ~ ", got " ~ aggregation ~ " (" ~ name ~ ")") }}
    {%- endif -%}
    {%- set boundaries = ind.get('base_boundary') or [] -%}
    {%- if boundaries is string -%}{%- set boundaries = [boundaries] -%}{%- endif -%}
    {%- if execute and (not boundaries or (boundaries | reject('in', ['lsoa11', 'lsoa21']) | list)) -%}
        {{ exceptions.raise_compiler_error("meta.indicator.base_boundary must be lsoa11, lsoa21 or [lsoa11, lsoa21] "
                                           ~ "(the boundaries of the base rows' source_code), got " ~ boundaries ~ " (" ~ name ~ ")") }}
    {%- endif -%}
    {%- set unit = ind.get('unit') or '' -%}
    {%- set range = ind.get('value_range') -%}
    {%- set range_basis = 'meta.indicator.value_range' -%}
    {%- if range is none and (aggregation == 'share' or unit.startswith('share')) -%}
        {%- set range, range_basis = [0, 1], 'the default for a share (aggregation share or a unit starting "share")' -%}
    {%- elif range is none -%}
        {%- set range, range_basis = [0, none], 'the default (non-negative); declare value_range in meta.indicator otherwise' -%}
    {%- endif -%}
    {%- if execute and (range is string or range | length != 2) -%}
        {{ exceptions.raise_compiler_error("meta.indicator.value_range must be [min, max] (null for unbounded), got " ~ range ~ " (" ~ name ~ ")") }}
    {%- endif -%}
    {%- set period = ind.get('period') -%}
    {{ return({
        'rule': rules.get(aggregation, 'ratio'),
        'multiplier': ind.get('multiplier', 1),
        'unit': unit,
        'base_boundary': boundaries or ['lsoa11', 'lsoa21'],
        'period_sql': none if period is none else "'" ~ (period | string | replace("'", "''")) ~ "'",
        'comparators': ind.get('comparators', true) is not sameas false,
        'value_range': range,
        'value_range_basis': range_basis,
        'numerator_min': 0 if (range[0] is not none and range[0] >= 0) else none,
    }) }}
{%- endmacro %}
