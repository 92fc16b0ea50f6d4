-- DCMS Libraries Taskforce list (2016-17): statutory status in 2010 and 2016 (t/f), the
-- year a library opened (since 2010) or closed (XL closed, XLR closed and replaced, XLT
-- closed and transferred); postcodes normalised for the Code-Point join.
select trim(id) as library_id, trim(authority_id) as authority_id, name, postcode,
       upper(replace(postcode, ' ', '')) as postcode_key,
       trim(statutory2010) = 't' as statutory_2010, trim(statutory2016) = 't' as statutory_2016,
       nullif(trim(closed), '') as closure,
       try_cast(nullif(trim(closed_year), '') as integer) as closed_year,
       try_cast(nullif(trim(opened_year), '') as integer) as opened_year
from {{ source('raw', 'libraries_taskforce') }}
