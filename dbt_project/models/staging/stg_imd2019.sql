select lsoa11_code, 2019 as year,
       {% for d in ['IMD', 'Income', 'Employment', 'Education', 'Health', 'Crime', 'Housing_and_Access', 'Environment'] -%}
       try_cast("{{ d }}_rank" as double)::integer as {{ d | lower }}_rank,
       try_cast("{{ d }}_decile" as double)::integer as {{ d | lower }}_decile{{ "," if not loop.last }}
       {% endfor %}
from {{ source('raw', 'imd2019') }}
