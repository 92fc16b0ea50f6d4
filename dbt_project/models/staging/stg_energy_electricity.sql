{{ energy_long(source('raw', 'energy_electricity'), 'electricity') }}
