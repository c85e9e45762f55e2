"""The monthly assessment (综合评价): indicators per street and per unit, and the ranking.

Pure computations over case facts (`facts.py` loads them); definitions in `indicators.py`.
"""
