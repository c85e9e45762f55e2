"""Daily digests in street and unit group chats, deadline nudges to officers, the monthly bulletin.

`schedule.py` decides what to queue (exactly once per group and day), `send.py` delivers it from the
outbox within the robot's rate limit, `robot.py` speaks the group-robot protocol.
"""
