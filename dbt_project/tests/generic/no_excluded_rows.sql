{# Source rows the indicator had to drop (its <model>__exclusions companion table, reason
   in quality_flag): configured with severity warn, so bad input is reported on every
   build without stopping the refresh. #}
{% test no_excluded_rows(model) %}
select area_code, year, quality_flag
from {{ model.database }}.{{ model.schema }}."{{ model.identifier }}__exclusions"
{% endtest %}
