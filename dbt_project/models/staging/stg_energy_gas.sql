{{ energy_long(source('raw', 'energy_gas'), 'gas') }}
