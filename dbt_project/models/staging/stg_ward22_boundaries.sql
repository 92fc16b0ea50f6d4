select "WD25CD" as ward22_code, "WD25NM" as ward22_name, "LAD25CD" as lad_code
from {{ source('raw', 'ward22_boundaries') }}
