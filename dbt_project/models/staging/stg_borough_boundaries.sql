select "LAD22CD" as lad_code, "LAD22NM" as lad_name
from {{ source('raw', 'borough_boundaries') }}
