-- One row per index indicator with everything the index engine needs, taken from the
-- indicator models' YAML (meta.indicator). Edit the YAML, not this file.
{% set fields = ['name', 'dimension', 'component', 'direction', 'unit', 'transform', 'worst', 'best',
                 'aggregation', 'personal_data', 'in_index', 'rationale', 'worst_best_basis',
                 'comparators', 'comparators_note'] %}
{% set nodes = indicator_nodes() %}
{#- after the fields above (the release selects named columns): what the macros read from
    the same meta, defaults filled in by indicator_settings -#}
{% if nodes %}
select * from (values
{%- for node in nodes %}
    {%- set m = node.config.meta['indicator'] %}
    {%- set s = indicator_settings(m, node.name) %}
    ('{{ node.name }}', '{{ node.description | replace("'", "''") }}',
     {%- for f in fields %} {{ sql_literal(m.get(f, true if f == 'comparators' else none)) }},{% endfor %}
     '{{ (m.get('sources') or []) | join(',') }}', '{{ node.original_file_path }}',
     {{ s.multiplier }}, {{ sql_literal(s.value_range[0]) }}::double, {{ sql_literal(s.value_range[1]) }}::double,
     '{{ s.base_boundary | join(',') }}', {{ sql_literal(m.get('period')) }}::varchar){{ "," if not loop.last }}
{%- endfor %}
) as t(indicator_id, description, {{ fields | join(', ') }}, sources, model_path,
       multiplier, value_min, value_max, base_boundary, period)
{% else %}
select null::varchar as indicator_id where false
{% endif %}
