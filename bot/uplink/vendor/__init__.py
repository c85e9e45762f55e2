"""The declarative vendor adapter for 数字城管 platforms (GB/T 30428): a mapping file (mapping.py) drives
one HTTP client (client.py) and one push job (push.py); coords.py projects the point."""
