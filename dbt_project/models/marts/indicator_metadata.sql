-- One row per index indicator with everything the index engine needs, taken from the
-- indicator models' YAML (meta.indicator). Edit the YAML, not this file.
{% set fields = ['name', 'dimension', 'component', 'direction', 'unit', 'transform', 'worst', 'best',
                 'aggregation', 'personal_data', 'in_index', 'rationale', 'worst_best_basis',
                 'comparators', 'comparators_note'] %}
{% set nodes = indicator_nodes() %}
{% if nodes %}
select * from (values
{%- for node in nodes %}
    {%- set m = node.config.meta['indicator'] %}
    ('{{ node.name }}', '{{ node.description | replace("'", "''") }}',
     {%- for f in fields %} {{ sql_literal(m.get(f, true if f == 'comparators' else none)) }},{% endfor %}
     '{{ (m.get('sources') or []) | join(',') }}', '{{ node.original_file_path }}'){{ "," if not loop.last }}
{%- endfor %}
) as t(indicator_id, description, {{ fields | join(', ') }}, sources, model_path)
{% else %}
select null::varchar as indicator_id where false
{% endif %}
