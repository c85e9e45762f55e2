"""Residents' personal information (PIPL): the privacy notice, deletion on request, staff leaving, and
retention limits applied by a daily job."""
