{# Every column of a raw (all-text) relation cast to double, except `except`. Used for the
   wide IoD tables, whose indicator columns are all numeric. #}
{% macro cast_all_to_double(relation, except=[]) -%}
    {%- set cols = adapter.get_columns_in_relation(relation) if execute else [] -%}
    {%- set kept = [] -%}
    {%- for c in cols if c.name not in except -%}{%- do kept.append(c.name) -%}{%- endfor -%}
    {%- for name in kept %}
    try_cast("{{ name }}" as double) as "{{ name | lower }}"{{ "," if not loop.last }}
    {%- endfor -%}
    {%- if not kept %} null as _no_columns{% endif -%}
{%- endmacro %}

{# Energy consumption tables: wide columns meters_n_2010, total_kWh_2010 ... to one row
   per LSOA 2011 and year. #}
{% macro energy_long(relation, fuel) -%}
with long as (
    unpivot {{ relation }}
    on columns('_[0-9]{4}$')
    into name measure value amount
)
select "LSOA11CD" as lsoa11_code, "LAD11CD" as lad_code, '{{ fuel }}' as fuel,
       regexp_extract(measure, '([0-9]{4})$', 1)::integer as year,
       max(case when measure like 'meters_n_%' then try_cast(amount as double) end) as meters,
       max(case when measure like 'total_kWh_%' then try_cast(amount as double) end) as total_kwh,
       max(case when measure like 'mean_kWhpm_%' then try_cast(amount as double) end) as mean_kwh_per_meter,
       max(case when measure like 'median_kWhpm_%' then try_cast(amount as double) end) as median_kwh_per_meter
from long
group by all
{%- endmacro %}
