"""Coordinates coarsened for public readers: snapped to the centre of a grid cell about 50 m on a side.

Rounding to 3 decimals would be ~111 m north-south and a different size east-west; a cell of a fixed
50 m keeps a street problem findable on its block while a home's door is not. Every point of a cell
gets the same centre, so repeated reads of nearby reports reveal no more than one read."""

from __future__ import annotations

import math

CELL_METRES = 50.0
METRES_PER_DEGREE_LAT = 111_320.0


def snap(lat: float, lon: float, cell: float = CELL_METRES) -> tuple[float, float]:
    lat_step = cell / METRES_PER_DEGREE_LAT
    snapped_lat = (math.floor(lat / lat_step) + 0.5) * lat_step
    lon_step = cell / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(snapped_lat)), 0.01))
    snapped_lon = (math.floor(lon / lon_step) + 0.5) * lon_step
    return round(snapped_lat, 6), round(snapped_lon, 6)
