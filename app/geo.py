"""Distances inside the Netherlands: the equirectangular approximation, in
plain arithmetic that SQLite and PostgreSQL evaluate without math
extensions; over such distances it is within 1% of the great-circle one."""

KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320
