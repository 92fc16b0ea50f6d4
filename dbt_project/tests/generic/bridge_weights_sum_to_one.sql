{# The weights from each source area to each target boundary add up to 1, so apportioning
   keeps totals: nothing is lost or counted twice. #}
{% test bridge_weights_sum_to_one(model) %}
select source_boundary, source_code, boundary, sum(weight) as total
from {{ model }}
group by all
having abs(sum(weight) - 1) > 1e-6
{% endtest %}
