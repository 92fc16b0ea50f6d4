-- One row per index indicator with everything the index engine needs, taken from the
-- indicator models' YAML (meta.indicator). Edit the YAML, not this file.
{% set fields = ['name', 'dimension', 'component', 'direction', 'unit', 'transform', 'worst', 'best',
                 'aggregation', 'personal_data', 'in_index', 'rationale', 'worst_best_basis',
                 'comparators', 'comparators_note', 'audit_justification', 'max_carry_forward_years'] %}
{% set nodes = indicator_nodes() %}
{#- sources that do not cover the deployed borough (catalogue `coverage`, passed by the
    platform): an indicator built on one leaves the borough's framework (in_index false) -#}
{% set uncovered = var('uncovered_sources', []) %}
{#- after the fields above (the release selects named columns): what the macros read from
    the same meta, defaults filled in by indicator_settings -#}
{% if nodes %}
select * from (values
{%- for node in nodes %}
    {%- set m = node.config.meta['indicator'] %}
    {%- set s = indicator_settings(m, node.name) %}
    {%- set missing = (m.get('sources') or []) | select('in', uncovered) | list %}
    ('{{ node.name }}', '{{ node.description | replace("'", "''") }}',
     {%- for f in fields %} {{ sql_literal(false if (f == 'in_index' and missing) else m.get(f, true if f == 'comparators' else none)) }},{% endfor %}
     '{{ (m.get('sources') or []) | join(',') }}', '{{ node.original_file_path }}',
     {{ s.multiplier }}, {{ sql_literal(s.value_range[0]) }}::double, {{ sql_literal(s.value_range[1]) }}::double,
     '{{ s.base_boundary | join(',') }}', {{ sql_literal(m.get('period')) }}::varchar,
     {{ 'false' if missing else 'true' }},
     {{ sql_literal(('its source ' ~ (missing | join(', ')) ~ ' does not cover this borough; the indicator is left out of the framework') if missing else none) }}::varchar){{ "," if not loop.last }}
{%- endfor %}
) as t(indicator_id, description, {{ fields | join(', ') }}, sources, model_path,
       multiplier, value_min, value_max, base_boundary, period, covered, coverage_note)
{% else %}
select null::varchar as indicator_id where false
{% endif %}
