{# A rate from a numerator and a denominator: null (not infinity) when there is no denominator. #}
{% macro safe_rate(numerator, denominator, multiplier=1) -%}
    case when {{ denominator }} is null or {{ denominator }} = 0 then null
         else {{ multiplier }} * ({{ numerator }})::double / ({{ denominator }}) end
{%- endmacro %}

{% macro per_1000(numerator, denominator) -%}
    {{ safe_rate(numerator, denominator, 1000) }}
{%- endmacro %}
