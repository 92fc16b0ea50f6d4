select * from {{ source('geography', 'areas') }}
