"""The task queue's Huey class on Redis: any number of consumers, one enqueue per schedule.

Every consumer runs Huey's scheduler, which once a minute enqueues the periodic tasks due that
minute. With several consumers (on several machines, for availability) each would enqueue them,
and a task would run once per consumer. Here a consumer enqueues a periodic task only after
claiming that task's minute in Redis (``SET NX`` with an expiry), so the first scheduler to
look enqueues it and the others skip it; a consumer that dies claims nothing, and the claims
expire by themselves. The machines' clocks must agree to well within a minute (NTP).

The tasks are idempotent besides (estate.taskruns keeps two runs of one task from overlapping),
so a duplicate that slipped through would do no harm; this keeps them from running twice."""

from huey import RedisHuey

CLAIM_SECONDS = 3600


class OncePerScheduleRedisHuey(RedisHuey):
    def read_periodic(self, timestamp=None):
        if timestamp is None:
            timestamp = self._get_timestamp()
        due = super().read_periodic(timestamp)
        minute = timestamp.strftime("%Y-%m-%dT%H:%M")
        conn = self.storage.conn
        return [
            task
            for task in due
            if conn.set(self.claim_key(task, minute), "1", nx=True, ex=CLAIM_SECONDS)
        ]

    def claim_key(self, task, minute: str) -> str:
        return f"huey.periodic.{self.name}.{self._registry.task_to_string(type(task))}.{minute}"
