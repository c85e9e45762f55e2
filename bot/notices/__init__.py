"""Notices to the resident who reported a case, over whichever channel WeChat allows at send time."""
