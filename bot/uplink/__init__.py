"""The uplink to the city's platform: Open311 GeoReport v2 client, signed JSON webhook, the outbox
jobs that deliver each case step, status polling, signed photo links.

Delivery guarantee (what the tests check):
- Nothing is lost: the push job is written in the transaction of the case step (accept, verify,
  close), so a step exists only with its job; the worker retries failures with back-off (30 s
  doubling to 1 h, for as long as it takes) and a job whose worker died is taken again when its
  lease runs out. 4xx answers that retrying cannot fix are parked with the platform's error and
  listed by `chengguan platform stuck`; `chengguan platform retry` sends them again.
- Open311 filing is exactly once when the platform lists the request in GET requests.json by the
  time we retry (realtime services) or deduplicates on attribute[external_id] (our own server
  does): before any repeated POST the platform is searched for the case number. Left open: a
  batch (token) platform that accepted the POST, whose answer we lost, and that does not list the
  request yet when we retry, can get a second copy.
- Updates (servicerequestupdates) and webhook events are at-least-once with a stable id
  (update_id, X-Chengguan-Event) that the receiver deduplicates on; our own server does.
- One case's steps go out in order; a parked step holds back the later ones of that case.
- What the platform supports is stored per platform (capabilities.py: discovered by discovery.py,
  learned from its answers, or set by hand), and the jobs adapt instead of parking: no updates ->
  verify/close complete with an audit note; tokens without tokens/ -> ids found in the request list;
  `address` instead of `address_string`; photos uploaded instead of linked. A 5xx that repeats for
  one request while the platform files others is parked after PLATFORM_SERVER_ERROR_TRIES
  (server_errors.py), not retried for two days; the vendor push keeps the same rule with its own
  health row (target "vendor").
- The adapters (Open311, webhook) are chosen in one table, jobs.py.
"""
