{# Source rows the indicator had to drop (its <model>__exclusions companion table, reason
   in quality_flag): severity warn, so bad input is reported on every build without
   stopping the refresh. #}
{% test no_excluded_rows(model) %}
{{ config(severity='warn') }}
select 'no_excluded_rows' as rule, area_code, year,
       'source row ' || area_code || ' (' || coalesce(year::varchar, 'no year') || ') excluded: ' || quality_flag as detail,
       quality_flag
from {{ model.database }}.{{ model.schema }}."{{ model.identifier }}__exclusions"
{% endtest %}
