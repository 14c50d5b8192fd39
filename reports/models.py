# The reports read other apps' data; report layouts arrive with the yearly tables.
